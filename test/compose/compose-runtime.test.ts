/** composeRuntime: inline tools run in a sandbox it creates (and closes), secrets are redacted, isolation can be required. */
import { beforeAll, describe, expect, it } from 'vitest';
import { composeRuntime } from '../../shared/compose/compose-runtime.js';
import { compile } from '../../shared/lang/index.js';
import { Redactor } from '../../shared/secrets/redactor.js';
import type { Sandbox } from '../../shared/sandbox/types.js';
import { requireCommand } from '../helpers/require-system.js';
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

  it('refuses to compose when full isolation is required and the sandbox lacks it', async () => {
    const weak: Sandbox = { isolation: { full: false, missing: ['bubblewrap'] }, run: async () => ({ exitCode: 0, signal: null, stdout: '', stderr: '', timedOut: false, truncated: false, duration_ms: 0 }), close: async () => {} };
    await expect(composeRuntime(irOf(SOURCE), { sandbox: weak, requireFullIsolation: true })).rejects.toMatchObject({
      code: 'config_error',
      message: 'Inline tools need full sandbox isolation, which is unavailable here (missing: bubblewrap).',
    });
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
