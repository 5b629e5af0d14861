import { describe, expect, it } from 'vitest';
import type { IRConfigParam, IRStatement } from '../../shared/ir/types.js';
import { configEnvName } from '../../shared/loop/config-params.js';
import { agent, prompt, type AgentAttrs } from '../helpers/ir-builder.js';
import { say, scriptedProvider } from '../helpers/scripted-provider.js';
import { testTools } from '../helpers/test-tools.js';
import { harness } from './runtime-factory.js';

const param = (name: string, type: IRConfigParam['type'], extra: Partial<IRConfigParam> = {}): IRConfigParam => ({
  name,
  type,
  required: false,
  secret: false,
  ...extra,
});

const onInput = (statements: IRStatement[]) => statements as NonNullable<AgentAttrs['on_input']>;

const PARAMS: IRConfigParam[] = [
  param('company-name', 'string', { default: 'Acme Corp' }),
  param('max_len', 'int', { default: 500 }),
  param('ratio', 'float', { default: 0.5 }),
  param('strict', 'bool', { default: false }),
  param('tier', 'string'),
];

/** The config an agent sees, read back through `respond string(config)`. */
function configSeen(env: Record<string, string>, params: IRConfigParam[] = PARAMS) {
  const { runtime } = harness(
    scriptedProvider(),
    [agent('support-agent', { config: params, on_input: onInput([{ kind: 'respond', expression: 'string(config)' }]) })],
    {
      env,
    },
  );
  return async (config?: Record<string, unknown>) =>
    JSON.parse((await runtime.invoke('support-agent', { message: 'x', ...(config ? { config } : {}) })).output) as Record<string, unknown>;
}

describe('config parameters', () => {
  it('names the environment variable AGENTSPEC_<AGENT>_<PARAM>, upper-cased with - written _', () => {
    expect(configEnvName('support-agent', 'api-key')).toBe('AGENTSPEC_SUPPORT_AGENT_API_KEY');
  });

  it('takes defaults, typed as declared; an optional parameter without a default is absent', async () => {
    const seen = configSeen({});

    expect(await seen()).toEqual({ 'company-name': 'Acme Corp', max_len: 500, ratio: 0.5, strict: false });
  });

  it('reads the environment over the default, converting the text to the declared type', async () => {
    const seen = configSeen({
      AGENTSPEC_SUPPORT_AGENT_COMPANY_NAME: 'Globex',
      AGENTSPEC_SUPPORT_AGENT_MAX_LEN: ' 42 ',
      AGENTSPEC_SUPPORT_AGENT_RATIO: '1e-1',
      AGENTSPEC_SUPPORT_AGENT_STRICT: 'TRUE',
    });

    expect(await seen()).toEqual({ 'company-name': 'Globex', max_len: 42, ratio: 0.1, strict: true });
  });

  it('takes the request’s config over the environment, for that request only', async () => {
    const seen = configSeen({ AGENTSPEC_SUPPORT_AGENT_TIER: 'gold' });

    expect(await seen({ tier: 'platinum', max_len: 7, strict: true })).toMatchObject({ tier: 'platinum', max_len: 7, strict: true });
    expect(await seen()).toMatchObject({ tier: 'gold', max_len: 500 });
  });

  it('answers invalid_request listing each unknown, mistyped or missing parameter by path', async () => {
    const seen = configSeen({}, [...PARAMS, param('region', 'string', { required: true })]);

    const failure = seen({ colour: 'red', max_len: 4.5, ratio: '0.3', strict: 'yes' });

    await expect(failure).rejects.toMatchObject({
      code: 'invalid_request',
      status: 400,
      details: {
        agent: 'support-agent',
        issues: [
          {
            path: 'config.colour',
            code: 'additionalProperties',
            message: expect.stringContaining('its parameters are company-name, max_len, ratio, strict, tier, region'),
          },
          { path: 'config.max_len', code: 'type', message: '"max_len" must be an int (a whole number).' },
          { path: 'config.ratio', code: 'type', message: '"ratio" must be a float (a number).' },
          { path: 'config.strict', code: 'type', message: '"strict" must be a bool (true or false).' },
          { path: 'config.region', code: 'required', message: expect.stringContaining('AGENTSPEC_SUPPORT_AGENT_REGION') },
        ],
      },
    });
  });

  it('refuses a secret parameter in a request without echoing the value sent', async () => {
    const seen = configSeen({ AGENTSPEC_SUPPORT_AGENT_API_KEY: 'server-held-value' }, [param('api_key', 'string', { secret: true, required: true })]);

    const failure = seen({ api_key: 'caller-sent-value' });

    await expect(failure).rejects.toMatchObject({ code: 'invalid_request', details: { issues: [{ path: 'config.api_key', code: 'secret' }] } });
    const error = await failure.catch((e: unknown) => e);
    expect(JSON.stringify(error)).not.toMatch(/caller-sent-value|server-held-value/);
  });

  it('a required secret that is not set is a config_error naming its variable, for any request', async () => {
    const seen = configSeen({}, [param('api_key', 'string', { secret: true, required: true })]);

    await expect(seen()).rejects.toMatchObject({
      code: 'config_error',
      status: 500,
      details: { param: 'api_key', variable: 'AGENTSPEC_SUPPORT_AGENT_API_KEY' },
    });
  });

  it('an environment value of the wrong type is a config_error naming the variable, not the value', async () => {
    const seen = configSeen({ AGENTSPEC_SUPPORT_AGENT_MAX_LEN: 'lots-of-chars' });

    const error = await seen().catch((e: unknown) => e);

    expect(error).toMatchObject({ code: 'config_error', details: { variable: 'AGENTSPEC_SUPPORT_AGENT_MAX_LEN' } });
    expect(JSON.stringify(error)).not.toContain('lots-of-chars');
  });

  it('keeps a secret value out of answers and tool call records, while the tool receives it', async () => {
    const tools = testTools({ name: 'call-api', handler: (input) => `called with ${(input as { key: string }).key}` });
    const { runtime } = harness(
      scriptedProvider(),
      [
        agent('bot', {
          skills: ['call-api'],
          config: [param('api_key', 'string', { secret: true, required: true })],
          on_input: onInput([{ kind: 'use_skill', skill: 'call-api', params: { key: 'config.api_key' } }]),
        }),
      ],
      { env: { AGENTSPEC_BOT_API_KEY: 'value-of-the-secret' }, tools },
    );

    const result = await runtime.invoke('bot', { message: 'x' });

    expect(tools.calls[0]!.input).toEqual({ key: 'value-of-the-secret' });
    expect(JSON.stringify(result)).not.toContain('value-of-the-secret');
    expect(result.output).toBe('called with [REDACTED:config.api_key]');
    expect(runtime.redactor.redact('log line value-of-the-secret')).toBe('log line [REDACTED:config.api_key]');
  });

  it('renders {{config.x}} in the prompt, and refuses a prompt that writes a secret parameter', async () => {
    const provider = scriptedProvider(say('ok'));
    const { runtime } = harness(
      provider,
      [
        prompt('p', 'You work for {{config.company}} at tier {{ config.tier }}.'),
        agent('bot', { prompt: 'p', config: [param('company', 'string', { default: 'Acme' }), param('tier', 'int', { default: 2 })] }),
      ],
      { env: {} },
    );
    const build = () =>
      harness(scriptedProvider(), [prompt('p', 'Key: {{config.key}}'), agent('bot', { prompt: 'p', config: [param('key', 'string', { secret: true })] })], {
        env: {},
      });

    await runtime.invoke('bot', { message: 'x', config: { company: 'Globex' } });

    expect(provider.requests[0]!.system).toBe('You work for Globex at tier 2.');
    expect(build).toThrow(/writes \{\{config\.key\}\}, a secret config parameter: secret values are never sent to the model/);
  });

  it('a delegate resolves its own config, not the caller’s request config', async () => {
    const { runtime } = harness(
      scriptedProvider(),
      [
        agent('bot', { config: [param('tier', 'string')], on_input: onInput([{ kind: 'delegate', agent: 'helper' }]) }),
        agent('helper', { config: [param('tier', 'string', { default: 'basic' })], on_input: onInput([{ kind: 'respond', expression: 'config.tier' }]) }),
      ],
      { env: {} },
    );

    expect((await runtime.invoke('bot', { message: 'x', config: { tier: 'gold' } })).output).toBe('basic');
  });

  it('an agent without parameters refuses any request config', async () => {
    const { runtime } = harness(scriptedProvider(say('x')), [agent('bot')], { env: {} });

    await expect(runtime.invoke('bot', { message: 'x', config: { a: 1 } })).rejects.toMatchObject({
      code: 'invalid_request',
      details: { issues: [{ path: 'config.a', message: 'Agent "bot" has no config parameter "a" (it declares none).' }] },
    });
  });
});
