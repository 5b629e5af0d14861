import { describe, expect, it } from 'vitest';
import { coverageGaps, deployCoverage, referencedFilesOf, parseCoverage, type DeployCoverage } from '../../functions/lib/hot-swap/coverage.js';
import { compile } from '../../shared/lang/index.js';
import type { IRDocument } from '../../shared/ir/types.js';

const HEADER = 'package "cov" version "1.0.0" lang "2.0"\n';

function ir(body: string): IRDocument {
  const { ir, diagnostics } = compile(HEADER + body, { file: 'cov.ias' });
  if (!ir) throw new Error(JSON.stringify(diagnostics));
  return ir;
}

const SERVER = `server "orders" {
  transport "stdio"
  command "node"
  args ["./servers/orders.mjs", "--port", "8080", "data.json", "-v", "https://example.com/x"]
  exposes skill "lookup"
}
skill "lookup" {
  description "look up"
  tool mcp "orders/lookup"
}
`;

const inline = (language: string, timeout: string, memory: string) => `skill "calc" {
  description "calc"
  tool inline {
    language "${language}"
    code "print(1)"
    timeout "${timeout}"
    memory "${memory}"
  }
}
`;

const LAMBDA_BLOCK = `deploy "aws" target "lambda" {
  region "eu-west-1"
  memory "1024Mi"
  timeout "300s"
}
`;

const covered = (over: Partial<DeployCoverage> = {}): DeployCoverage => ({ secrets: [], files: [], lambda: {}, ...over });

describe('what a package needs of the stack', () => {
  it('names the files of stdio servers and command tools that look like relative paths, and nothing else', () => {
    expect(referencedFilesOf(ir(SERVER))).toEqual(['data.json', 'servers/orders.mjs']);
  });

  it('finds no gap when the package fits what the synth covered', () => {
    const pkg = ir(`secret "db" { store("prod/db") }\n${SERVER}${LAMBDA_BLOCK}`);
    const coverage = deployCoverage({
      storeSecrets: ['prod/db'],
      files: ['servers/orders.mjs', './data.json', 'README.md'],
      deploy: pkg.resources.find((r) => r.kind === 'Deploy'),
    });
    expect(coverageGaps(pkg, coverage)).toEqual([]);
  });

  it('names a store secret the roles may not read', () => {
    const gaps = coverageGaps(ir(`secret "db" { store("prod/db") }\nsecret "k" { env(ANTHROPIC_API_KEY) }\n`), covered({ secrets: ['prod/other'] }));
    expect(gaps).toEqual([{ kind: 'secret', name: 'prod/db', message: expect.stringContaining('"prod/db"') as string }]);
  });

  it('names each file not in the assets', () => {
    const gaps = coverageGaps(ir(SERVER), covered({ files: ['data.json'] }));
    expect(gaps.map((g) => [g.kind, g.name])).toEqual([['file', 'servers/orders.mjs']]);
    // a referenced folder is covered by the files shipped under it
    expect(coverageGaps(ir(SERVER.replace('./servers/orders.mjs', './servers/')), covered({ files: ['data.json', 'servers/orders.mjs'] }))).toEqual([]);
  });

  it('leaves inline tools alone when the stack has no sandbox functions (they are refused when called, as after a cdk deploy)', () => {
    expect(coverageGaps(ir(inline('python', '5s', '128Mi')), covered())).toEqual([]);
  });

  it('names an inline language without a sandbox function, and a tool over its sandbox limits', () => {
    const sandboxes = { javascript: { timeout_ms: 10_000, memory_bytes: 256 * 1024 * 1024 } };
    expect(coverageGaps(ir(inline('python', '5s', '128Mi')), covered({ sandboxes })).map((g) => [g.kind, g.name])).toEqual([['inline_language', 'python']]);
    const over = coverageGaps(ir(inline('javascript', '30s', '512Mi')), covered({ sandboxes }));
    expect(over.map((g) => [g.kind, g.name])).toEqual([
      ['inline_limit', 'calc'],
      ['inline_limit', 'calc'],
    ]);
    expect(over.map((g) => g.message).join(' ')).toMatch(/30000 ms.*10000 ms.*536870912 bytes.*268435456/);
  });

  it('names a Lambda setting only a cdk deploy applies, and a synthesized deploy block the package dropped', () => {
    const synthesized = ir(LAMBDA_BLOCK);
    const coverage = deployCoverage({ storeSecrets: [], files: [], deploy: synthesized.resources.find((r) => r.kind === 'Deploy') });
    const bigger = coverageGaps(ir(LAMBDA_BLOCK.replace('1024Mi', '2048Mi')), coverage);
    expect(bigger.map((g) => [g.kind, g.name])).toEqual([['lambda_setting', 'memory_bytes']]);
    expect(coverageGaps(ir(''), coverage).map((g) => [g.kind, g.name])).toEqual([['lambda_setting', 'aws']]);
    // a stack synthesized without a lambda block has the defaults: a package that sets one is refused
    expect(coverageGaps(ir(LAMBDA_BLOCK), covered()).map((g) => g.name)).toEqual(['region', 'memory_bytes', 'timeout_ms']);
  });

  it('reads the coverage variable, and rejects a value that is not a coverage document', () => {
    expect(parseCoverage(undefined)).toBeUndefined();
    expect(parseCoverage(JSON.stringify(covered({ secrets: ['a'] })))).toEqual(covered({ secrets: ['a'] }));
    expect(() => parseCoverage('{"secrets": "a"}')).toThrow(/not a coverage document/);
    expect(() => parseCoverage('{oops')).toThrow();
  });
});
