/** What a runtime container is given to authenticate with, by deploy block and address: decided before anything is built. */
import { describe, expect, it } from 'vitest';
import { runtimeAuth, type RuntimeAuthInput } from '../../local/deploy/runtime-auth.js';
import type { IRDeploy } from '../../shared/ir/types.js';
import { isAgentSpecError } from '../../shared/errors.js';

const block = (attributes: Partial<IRDeploy['attributes']> = {}): IRDeploy =>
  ({ kind: 'Deploy', name: 'box', attributes: { target: 'docker', ...attributes } }) as unknown as IRDeploy;

function input(overrides: Partial<RuntimeAuthInput> = {}): RuntimeAuthInput {
  return {
    deploy: block(),
    host: '0.0.0.0',
    env: {},
    secret: () => Promise.reject(new Error('no secret asked for')),
    previousGenerated: () => Promise.resolve(undefined),
    ...overrides,
  };
}

describe('container auth', () => {
  it('generates a key for a container served beyond loopback, once', async () => {
    const first = await runtimeAuth(input());
    expect(first.source).toBe('generated');
    expect(first.generated).toMatch(/^ask_[\w-]{43}$/);
    expect(first.env).toEqual({ AGENTSPEC_API_KEYS: first.generated });
    // the next apply finds it in the running container and keeps it, without showing it again
    const again = await runtimeAuth(input({ previousGenerated: () => Promise.resolve(first.generated) }));
    expect(again).toEqual({ env: { AGENTSPEC_API_KEYS: first.generated }, source: 'generated' });
  });

  it('takes the keys from the api_keys secret, and refuses one that holds no key', async () => {
    const named = input({ deploy: block({ api_keys: 'client-keys' }), secret: (name) => Promise.resolve(name === 'client-keys' ? 'k1,k2' : '') });
    expect(await runtimeAuth(named)).toEqual({ env: { AGENTSPEC_API_KEYS: 'k1,k2' }, source: 'secret/client-keys' });
    const empty = runtimeAuth({ ...named, secret: () => Promise.resolve(' , ') });
    await expect(empty).rejects.toSatisfy((error: unknown) => isAgentSpecError(error) && error.code === 'config_error' && /holds no key/.test(error.message));
  });

  it('passes the explicit opt-out beyond loopback, with a warning', async () => {
    const open = await runtimeAuth(input({ deploy: block({ auth: 'none' }) }));
    expect(open.env).toEqual({ AGENTSPEC_INSECURE: '1' });
    expect(open.warning).toMatch(/without authentication/);
  });

  it('adds nothing on loopback unless the block names keys, and keeps keys the package passes itself', async () => {
    expect(await runtimeAuth(input({ host: '127.0.0.1' }))).toEqual({ env: {}, source: 'none' });
    expect(await runtimeAuth(input({ host: '127.0.0.1', deploy: block({ auth: 'none' }) }))).toEqual({ env: {}, source: 'none' });
    expect(await runtimeAuth(input({ env: { AGENTSPEC_API_KEYS: 'own' } }))).toEqual({ env: {}, source: 'package' });
  });
});
