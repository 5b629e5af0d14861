import { describe, expect, it } from 'vitest';
import { createHotSwapApp, type DeployInput } from '../../functions/lib/hot-swap/app.js';
import type { DeployedVersion } from '../../functions/lib/hot-swap/hot-swap.js';
import type { IRDocument } from '../../shared/ir/types.js';
import { AgentSpecError } from '../../shared/errors.js';
import { irDocument } from './helpers/fake-lambda.js';

function recordingApp(toIR: (input: DeployInput) => Promise<IRDocument>) {
  const deployed: IRDocument[] = [];
  const live: DeployedVersion = { digest: 'd1', version: '3', functions: { run: { version: '3' }, stream: { version: '3' } } };
  const app = createHotSwapApp({
    toIR,
    hotSwap: {
      deploy: async (ir) => (deployed.push(ir), { ...live, digest: 'd2', version: '4' }),
      status: async () => live,
      rollback: async () => ({ ...live, version: '2' }),
    },
  });
  return { app, deployed };
}

describe('the deploy API', () => {
  it('deploys a .ias source sent as text', async () => {
    // Prepare
    const inputs: DeployInput[] = [];
    const { app, deployed } = recordingApp(async (input) => (inputs.push(input), irDocument('pkg')));
    // Act
    const res = await app.request('/v1/deploy?file=agents.ias', {
      method: 'POST',
      body: 'package "pkg" version "1.0.0" lang "2.0"',
      headers: { 'content-type': 'text/plain' },
    });
    // Assess
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ digest: 'd2', version: '4', package: { name: 'pkg' } });
    expect(inputs).toEqual([{ kind: 'source', source: 'package "pkg" version "1.0.0" lang "2.0"', file: 'agents.ias' }]);
    expect(deployed).toHaveLength(1);
  });

  it('accepts an IR document or {source} as JSON', async () => {
    const inputs: DeployInput[] = [];
    const { app } = recordingApp(async (input) => (inputs.push(input), irDocument()));
    await app.request('/v1/deploy', { method: 'POST', body: JSON.stringify(irDocument()), headers: { 'content-type': 'application/json' } });
    await app.request('/v1/deploy', { method: 'POST', body: JSON.stringify({ source: 'x', file: 'a.ias' }), headers: { 'content-type': 'application/json' } });
    expect(inputs).toEqual([
      { kind: 'ir', json: irDocument() },
      { kind: 'source', source: 'x', file: 'a.ias' },
    ]);
  });

  it('returns the diagnostics of an invalid package and deploys nothing', async () => {
    const diagnostics = [{ line: 3, column: 1, message: 'Unknown agent "x".' }];
    const { app, deployed } = recordingApp(async () => {
      throw new AgentSpecError('validation_error', 'The package is invalid.', { details: { diagnostics } });
    });
    const res = await app.request('/v1/deploy', { method: 'POST', body: 'bad', headers: { 'content-type': 'text/plain' } });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'validation_error', message: 'The package is invalid.', details: { diagnostics } });
    expect(deployed).toEqual([]);
  });

  it('rejects an empty body and malformed JSON with invalid_request', async () => {
    const { app, deployed } = recordingApp(async () => irDocument());
    expect((await app.request('/v1/deploy', { method: 'POST', body: '' })).status).toBe(400);
    const res = await app.request('/v1/deploy', { method: 'POST', body: '{oops', headers: { 'content-type': 'application/json' } });
    expect(await res.json()).toMatchObject({ error: 'invalid_request' });
    expect(deployed).toEqual([]);
  });

  it('reports the live version and rolls back', async () => {
    const { app } = recordingApp(async () => irDocument());
    expect(await (await app.request('/v1/deploy')).json()).toMatchObject({ digest: 'd1', version: '3' });
    expect(await (await app.request('/v1/deploy/rollback', { method: 'POST' })).json()).toMatchObject({ version: '2' });
    expect((await app.request('/v1/nothing')).status).toBe(404);
  });
});
