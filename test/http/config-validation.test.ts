/**
 * `config` in invoke, stream and session bodies and the `validation` result,
 * through the app over a real runtime compiled from a 3.0 package (the model
 * scripted in process).
 */
import { describe, expect, it } from 'vitest';
import { createApp } from '../../shared/http/app.js';
import { compile } from '../../shared/lang/index.js';
import { Runtime } from '../../shared/loop/runtime.js';
import { SILENT_LOGGER } from '../../shared/telemetry/logger.js';
import { Telemetry } from '../../shared/telemetry/telemetry.js';
import { say, scriptedProvider } from '../helpers/scripted-provider.js';
import { post, readEvents } from './helpers.js';

const SOURCE = `package "cfg" version "1.0.0" lang "3.0"

agent "desk" {
  model "claude-sonnet-4-20250514"
  config {
    greeting string default "Hello"
      "How answers start"
    max_len int default "40"
      "Longest answer"
    api_key string secret
      "Key of the backend"
  }
  validate {
    rule short warning "Keep it short" when len(output) <= config.max_len
  }
  on input {
    if input == "hi" {
      respond config.greeting
    }
  }
}
`;

function serve(env: Record<string, string> = {}) {
  const { ir, diagnostics } = compile(SOURCE, { file: 'cfg.ias' });
  if (!ir) throw new Error(JSON.stringify(diagnostics));
  const telemetry = new Telemetry();
  const provider = scriptedProvider().otherwise(say('A model answer that is longer than forty characters, by far.'));
  const runtime = Runtime.fromIR(ir, { providerFor: () => provider, env, observer: telemetry });
  const app = createApp({ runtime: () => runtime, apiKeys: false, logger: SILENT_LOGGER, telemetry });
  return { app, provider, telemetry };
}

describe('config and validation over HTTP', () => {
  it('uses the body’s config for that request, over the environment and the default', async () => {
    const { app } = serve({ AGENTSPEC_DESK_GREETING: 'Howdy' });

    const sent = await (await app.request('/v1/agents/desk/invoke', post({ message: 'hi', config: { greeting: 'Ahoy' } }))).json();
    const fromEnv = await (await app.request('/v1/agents/desk/invoke', post({ message: 'hi' }))).json();

    expect(sent).toMatchObject({ output: 'Ahoy', validation: { warnings: [] } });
    expect(fromEnv).toMatchObject({ output: 'Howdy' });
  });

  it('answers 400 in the error shape for an unknown parameter, a wrong type and a secret one, never echoing the value', async () => {
    const { app } = serve();

    const unknown = await app.request('/v1/agents/desk/invoke', post({ message: 'hi', config: { colour: 'red' } }));
    const mistyped = await app.request('/v1/agents/desk/invoke', post({ message: 'hi', config: { max_len: 'ten' } }));
    const secret = await app.request('/v1/agents/desk/invoke', post({ message: 'hi', config: { api_key: 'caller-value-123' } }));
    const nested = await app.request('/v1/agents/desk/invoke', post({ message: 'hi', config: { greeting: { a: 1 } } }));

    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ error: 'invalid_request', details: { issues: [{ path: 'config.colour', code: 'additionalProperties' }] } });
    expect(mistyped.status).toBe(400);
    expect(await mistyped.json()).toMatchObject({ error: 'invalid_request', details: { issues: [{ path: 'config.max_len', code: 'type' }] } });
    expect(secret.status).toBe(400);
    const secretBody = await secret.text();
    expect(JSON.parse(secretBody)).toMatchObject({ error: 'invalid_request', details: { issues: [{ path: 'config.api_key', code: 'secret' }] } });
    expect(secretBody).not.toContain('caller-value-123');
    expect(nested.status).toBe(400);
    expect(await nested.json()).toMatchObject({ error: 'invalid_request', details: { issues: [{ path: 'config.greeting' }] } });
  });

  it('takes config in a session message too', async () => {
    const { app } = serve();
    const { session_id } = (await (await app.request('/v1/agents/desk/sessions', post({}))).json()) as { session_id: string };

    const reply = await (await app.request(`/v1/agents/desk/sessions/${session_id}`, post({ message: 'hi', config: { greeting: 'Welcome back' } }))).json();

    expect(reply).toMatchObject({ output: 'Welcome back', session_id });
  });

  it('streams the answer and a done event carrying the broken warning rules; the metric counts them', async () => {
    const { app, telemetry } = serve();

    const response = await app.request('/v1/agents/desk/stream', post({ message: 'tell me everything' }));
    const events = await readEvents(response);
    const metrics = (await telemetry.metricsExposition()).text;

    expect(events.map((e) => e.event)).toEqual(['run', 'text', 'done']);
    expect(JSON.parse(events.at(-1)!.data)).toMatchObject({ validation: { warnings: [{ rule: 'short', message: 'Keep it short' }] } });
    expect(metrics).toContain('agentspec_validation_violations_total{agent="desk",rule="short",severity="warning"} 1');
  });

  it('reports a config error of a stream as its one error event after the run id', async () => {
    const { app } = serve();

    const events = await readEvents(await app.request('/v1/agents/desk/stream', post({ message: 'hi', config: { max_len: 1.5 } })));

    expect(events.map((e) => e.event)).toEqual(['run', 'error']);
    expect(JSON.parse(events[1]!.data)).toMatchObject({ error: 'invalid_request', details: { issues: [{ path: 'config.max_len' }] } });
  });
});
