/** composeRuntime: inline tools run in a sandbox it creates (and closes) and reports, secrets are redacted. */
import { beforeAll, describe, expect, it } from 'vitest';
import { composeRuntime } from '../../shared/compose/compose-runtime.js';
import { compile } from '../../shared/lang/index.js';
import { Redactor } from '../../shared/secrets/redactor.js';
import type { Sandbox } from '../../shared/sandbox/types.js';
import { AgentSpecError, ErrorCode } from '../../shared/errors.js';
import { requireCommand } from '../helpers/require-system.js';
import { commandLine, descendants } from '../sandbox/sandbox-fixtures.js';
import { scriptedProvider } from '../helpers/scripted-provider.js';

const SOURCE = `package "c" version "1.0.0" lang "2.0"
secret "token" { env(COMPOSE_TEST_TOKEN) }
skill "double" {
  description "Double a number"
  input {
    n number required
  }
  tool inline {
    language "python"
    code "import json, sys\\nargs = json.load(sys.stdin)\\nprint(json.dumps({'twice': args['n'] * 2}))"
    timeout "20s"
    memory "128Mi"
  }
}
agent "calc" {
  uses skill "double"
  model "claude-haiku-4-5"
}
`;

/** Polls `probe` until it returns a non-empty list or 10 s pass. */
async function settleNonEmpty<T>(probe: () => T[]): Promise<T[]> {
  const deadline = Date.now() + 10_000;
  let last = probe();
  while (last.length === 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    last = probe();
  }
  return last;
}

function irOf(source: string) {
  const { ir, diagnostics } = compile(source, { file: 'c.ias' });
  if (!ir) throw new Error(JSON.stringify(diagnostics));
  return ir;
}

describe('composeRuntime', () => {
  beforeAll(() => {
    requireCommand('python3');
  });

  it('runs an inline tool in the sandbox it creates, and closes it with the runtime', async () => {
    // Prepare
    const provider = scriptedProvider({ toolUses: [{ name: 'double', input: { n: 21 } }] }, { text: 'It is 42.' });
    const runtime = await composeRuntime(irOf(SOURCE), { providerFor: () => provider });
    // Act
    const result = await runtime.invoke('calc', { message: 'double 21' });
    await runtime.close();
    // Assess
    expect(result.output).toBe('It is 42.');
    expect(result.tool_calls).toEqual([expect.objectContaining({ name: 'double', status: 'ok', output: { twice: 42 } })]);
  });

  it("reports the sandbox's isolation, and pre-starts interpreters only for the languages the package uses", async () => {
    // Prepare
    requireCommand('bwrap');
    const before = new Set(descendants(process.pid));
    // Act: a python-only package
    const runtime = await composeRuntime(irOf(SOURCE), { providerFor: () => scriptedProvider({ text: 'unused' }) });
    const started = () =>
      descendants(process.pid)
        .filter((pid) => !before.has(pid))
        .map(commandLine);
    const pythons = await settleNonEmpty(() => started().filter((line) => line.includes('import os, sys, json, resource')));
    const nodes = started().filter((line) => line.includes('--max-old-space-size'));
    const isolation = runtime.isolation;
    await runtime.close();
    // Assess
    expect(isolation).toMatchObject({ full: true, mode: 'bubblewrap', missing: [] });
    expect(pythons.length).toBeGreaterThan(0);
    expect(nodes).toEqual([]);
  });

  it('reports no isolation for a package without inline tools, and starts no sandbox', async () => {
    const source = SOURCE.replace(/skill "double" \{[\s\S]*?\n\}\n/, '').replace('  uses skill "double"\n', '');
    const runtime = await composeRuntime(irOf(source), { providerFor: () => scriptedProvider({ text: 'unused' }) });
    expect(runtime.isolation).toBeUndefined();
    await runtime.close();
  });

  it('passes a refusing sandbox on to the tool call as an error result, and keeps serving', async () => {
    const refusing: Sandbox = {
      isolation: { full: false, missing: ['bubblewrap (not on PATH)'], mode: 'refused', seccomp: false },
      run: () => Promise.reject(new AgentSpecError(ErrorCode.Unavailable, 'Inline code is refused: it runs only under full isolation.')),
      close: async () => {},
    };
    const provider = scriptedProvider({ toolUses: [{ name: 'double', input: { n: 1 } }] }, { text: 'Could not compute.' });
    const runtime = await composeRuntime(irOf(SOURCE), { sandbox: refusing, providerFor: () => provider });
    const result = await runtime.invoke('calc', { message: 'double 1' });
    await runtime.close();
    expect(runtime.isolation).toMatchObject({ mode: 'refused' });
    expect(result.output).toBe('Could not compute.');
    expect(result.tool_calls).toEqual([expect.objectContaining({ name: 'double', status: 'error', error: expect.stringContaining('Inline code is refused') })]);
  });

  it('registers resolved secrets with the given redactor', async () => {
    process.env.COMPOSE_TEST_TOKEN = 'tok-very-secret-123';
    const redactor = new Redactor();
    const source = SOURCE.replace('tool inline {', 'tool inline {\n    secrets { TOKEN "token" }');
    const provider = scriptedProvider({ toolUses: [{ name: 'double', input: { n: 1 } }] }, { text: 'ok' });
    const runtime = await composeRuntime(irOf(source), { providerFor: () => provider, redactor });
    try {
      await runtime.invoke('calc', { message: 'go' });
      expect(redactor.redact('key tok-very-secret-123 leaked')).toBe('key [REDACTED:token] leaked');
    } finally {
      await runtime.close();
      delete process.env.COMPOSE_TEST_TOKEN;
    }
  });
});
