/** Inline tools through the registry and the real sandbox: results, failures with stderr tails, timeouts. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IRTool } from '../../shared/ir/types.js';
import { createSandbox } from '../../shared/sandbox/index.js';
import { createToolRegistry } from '../../shared/tools/registry.js';
import type { ToolRegistry } from '../../shared/tools/types.js';
import { requireCommand } from '../helpers/require-system.js';
import { ctxFor, envSecret, irWith, skill, vaultFor } from './fixtures.js';

const SECRET = 'inline-secret-77aa88bb';
const js = (code: string, attrs: Partial<Extract<IRTool, { type: 'inline' }>> = {}): IRTool => ({
  type: 'inline',
  language: 'javascript',
  code,
  timeout_ms: 5_000,
  memory_bytes: 256 << 20,
  env: {},
  secrets: {},
  ...attrs,
});

describe('inline executor with the real sandbox', () => {
  let registry: ToolRegistry;
  beforeAll(() => {
    requireCommand('bwrap');
    const ir = irWith({
      skills: [
        skill('double', js('let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.stringify({twice:JSON.parse(s).n*2})))')),
        skill('broken', js('console.error("broke with " + process.env.T); process.exit(2)', { secrets: { T: 'tok' } })),
        skill('forever', js('for(;;){}', { timeout_ms: 500 })),
      ],
      extra: [envSecret('tok', 'TOK')],
    });
    registry = createToolRegistry(ir, { secrets: vaultFor(ir, { TOK: SECRET }), sandbox: createSandbox({ poolSize: 0, logger: () => {} }) });
  });
  afterAll(() => registry.close());

  it('returns JSON stdout as JSON', async () => {
    expect(await registry.call('bot', 'double', { n: 4 }, ctxFor())).toEqual({ ok: true, output: { twice: 8 } });
  });

  it('turns a non-zero exit into an error with the stderr tail, secret redacted', async () => {
    const result = await registry.call('bot', 'broken', {}, ctxFor());

    expect(result).toEqual({ ok: false, error: expect.stringContaining('exited with code 2; stderr ends with: broke with [REDACTED:tok]') });
  });

  it('reports a timeout', async () => {
    expect(await registry.call('bot', 'forever', {}, ctxFor())).toEqual({ ok: false, error: expect.stringContaining('timed out after 500 ms') });
  });
});
