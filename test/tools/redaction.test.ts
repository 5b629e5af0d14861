/**
 * A tool of each kind (http, command, inline python and javascript, MCP)
 * leaks the secret `token` as written, URL-encoded, JSON-escaped or base64,
 * as its result and as its error. Through the registry, the runtime and the
 * HTTP app, nothing of the value reaches the model, the invoke response, the
 * SSE events or a log line: each shows the leak line with the value
 * redacted, and no encoded form of the value appears in any of them.
 */
import type { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../shared/http/app.js';
import type { AppEnv } from '../../shared/http/context.js';
import type { ContentBlock } from '../../shared/llm/types.js';
import { Runtime } from '../../shared/loop/runtime.js';
import type { InvokeResult, ToolCallRecord } from '../../shared/loop/types.js';
import { createSandbox } from '../../shared/sandbox/index.js';
import { createLogger } from '../../shared/telemetry/logger.js';
import { createToolRegistry } from '../../shared/tools/registry.js';
import type { ToolRegistry } from '../../shared/tools/types.js';
import { startHttpEchoServer, type HttpEchoServer } from '../helpers/http-echo-server.js';
import { requireCommand } from '../helpers/require-system.js';
import { say, scriptedProvider, useTools } from '../helpers/scripted-provider.js';
import { ENCODINGS, SECRET, leaksIn, type LeakInput } from '../helpers/secret-encodings.js';
import { post, readEvents } from '../http/helpers.js';
import { irWith, skill, vaultFor } from './fixtures.js';
import { leakyResources, startLeakyHttpService, startLeakyMcpServer, type LocalServer } from './leaky-tools.js';

const KINDS = [
  { kind: 'http', tool: 'leak-http' },
  { kind: 'command', tool: 'leak-command' },
  { kind: 'inline python', tool: 'leak-python' },
  { kind: 'inline javascript', tool: 'leak-javascript' },
  { kind: 'mcp', tool: 'leaky__leak' },
];

const API_KEY = 'redaction-test-api-key';

type Use = { name: string; input: unknown };

/** What one request (invoke and stream alike) left in every place a client or a log sees. */
interface Seen {
  /** tool calls of the invoke response and the stream's `tool_call_end` events */
  calls: ToolCallRecord[];
  /** the tool_result blocks the model was sent */
  results: Extract<ContentBlock, { type: 'tool_result' }>[];
  /** the registry's structured `tool call` lines */
  toolLines: Record<string, unknown>[];
  /** every text as it went out: response bodies, SSE streams, model requests, log lines */
  texts: string[];
}

describe('secret redaction across tool kinds and the places a value can leak', () => {
  let service: LocalServer;
  let mcp: LocalServer;
  let echo: HttpEchoServer;
  let registry: ToolRegistry;
  let runtime: Runtime;
  let app: Hono<AppEnv>;
  const provider = scriptedProvider().otherwise((request) => {
    const last = request.messages.at(-1)!.content;
    if (last.some((b) => b.type === 'tool_result')) return say('done');
    return useTools(...(JSON.parse((last[0] as { text: string }).text) as Use[]));
  });
  const toolLog: string[] = [];
  const appLog: string[] = [];
  const sandboxLog: string[] = [];

  beforeAll(async () => {
    requireCommand('bwrap');
    requireCommand('python3');
    [service, mcp, echo] = await Promise.all([startLeakyHttpService(), startLeakyMcpServer(), startHttpEchoServer()]);
    const { skills, extra, clients } = leakyResources(service, mcp);
    const reflect = skill('echo-http', {
      type: 'http',
      method: 'POST',
      url: `${echo.url}/echo/{{secret.token}}?q={{secret.token}}`,
      headers: { 'content-type': 'application/json', 'x-token': '{{secret.token}}' },
      body_template: '{"secret": "{{secret.token}}"}',
      timeout_ms: 20_000,
    });
    const ir = irWith({ skills: [...skills, reflect], extra, clients });
    const vault = vaultFor(ir, { TOKEN: SECRET });
    registry = createToolRegistry(ir, {
      secrets: vault,
      sandbox: createSandbox({ poolSize: 0, logger: (line) => sandboxLog.push(JSON.stringify(line)) }),
      logger: (line) => toolLog.push(JSON.stringify(line)),
    });
    runtime = Runtime.fromIR(ir, { tools: registry, providerFor: () => provider });
    app = createApp({
      runtime: () => runtime,
      apiKeys: [API_KEY],
      logger: createLogger({ sink: (line) => appLog.push(line), redact: (text) => vault.redact(text) }),
    });
  });

  afterAll(async () => {
    await runtime?.close();
    await registry?.close();
    await Promise.all([service?.close(), mcp?.close(), echo?.close()]);
  });

  /** Asks for the tool uses once through `/invoke` and once through `/stream`. */
  async function run(...uses: Use[]): Promise<Seen> {
    const from = { model: provider.requests.length, tool: toolLog.length, app: appLog.length, sandbox: sandboxLog.length };
    const request = () => post({ message: JSON.stringify(uses) }, { authorization: `Bearer ${API_KEY}` });
    const invoked = await app.request('/v1/agents/bot/invoke', request());
    const invokeBody = await invoked.text();
    expect(invoked.status, invokeBody).toBe(200);
    const streamBody = await (await app.request('/v1/agents/bot/stream', request())).text();
    const events = await readEvents(new Response(streamBody));
    const sent = provider.requests.slice(from.model);
    return {
      calls: [
        ...(JSON.parse(invokeBody) as InvokeResult).tool_calls,
        ...events.filter((e) => e.event === 'tool_call_end').map((e) => JSON.parse(e.data) as ToolCallRecord),
      ],
      results: sent.flatMap((r) => r.messages.at(-1)!.content.filter((b) => b.type === 'tool_result')),
      toolLines: toolLog
        .slice(from.tool)
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((line) => line.msg === 'tool call'),
      texts: [invokeBody, streamBody, JSON.stringify(sent), ...toolLog.slice(from.tool), ...appLog.slice(from.app), ...sandboxLog.slice(from.sandbox)],
    };
  }

  describe.each(KINDS)('$kind tool', ({ tool }) => {
    it.each(ENCODINGS)('echoing the value $name', async (encoding) => {
      // Prepare
      const input = (fail: boolean): LeakInput => ({ encoding: encoding.name, fail, before: 0, after: 0 });
      const shown = `leaked: ${encoding.redacted}`;
      const endsWithShown = expect.stringMatching(new RegExp(`: ${escapeRegExp(shown)}$`));

      // Act
      const seen = await run({ name: tool, input: input(false) }, { name: tool, input: input(true) });

      // Assess: the result and the error show the line, redacted...
      expect(seen.calls.filter((c) => c.status === 'ok').map((c) => c.output)).toEqual([shown, shown]);
      expect(seen.calls.filter((c) => c.status === 'error').map((c) => c.error)).toEqual([endsWithShown, endsWithShown]);
      expect(seen.results.filter((b) => !b.is_error).map((b) => b.content)).toEqual([shown, shown]);
      expect(seen.results.filter((b) => b.is_error).map((b) => b.content)).toEqual([endsWithShown, endsWithShown]);
      expect(seen.toolLines.filter((l) => l.status === 'error').map((l) => l.error)).toEqual([endsWithShown, endsWithShown]);
      // ...and no form of the value is anywhere
      for (const text of seen.texts) expect(leaksIn(text)).toEqual([]);
    });
  });

  // The stderr tail, the MCP error tail and the http error excerpt are cut; redacting before the cut leaves no part of the value.
  describe.each(KINDS)('$kind tool with a long error', ({ tool }) => {
    it('shows no piece of the value where the error text is cut', async () => {
      // the http excerpt keeps the first 500 characters, a stderr tail the last 2000: both cut the value in the middle
      const input: LeakInput = { encoding: 'as written', fail: true, before: 482, after: 1990 };

      const seen = await run({ name: tool, input }, { name: tool, input });

      expect(seen.calls.map((c) => c.status)).toEqual(['error', 'error', 'error', 'error']);
      for (const text of [...seen.texts, ...seen.calls.map((c) => c.error!), ...seen.results.map((b) => b.content)]) {
        expect(piecesOf(SECRET).filter((piece) => text.includes(piece))).toEqual([]);
      }
    });
  });

  it('redacts an http echo of the request: the value URL-encoded in the url, as written in a header, JSON-escaped in the body', async () => {
    const seen = await run({ name: 'echo-http', input: {} });

    expect(seen.calls.map((c) => c.output)).toEqual(
      [0, 1].map(() => expect.objectContaining({ url: '/echo/[REDACTED:token]?q=[REDACTED:token]', body: '{"secret": "[REDACTED:token]"}' })),
    );
    expect(seen.calls.map((c) => (c.output as { headers: Record<string, string> }).headers['x-token'])).toEqual(['[REDACTED:token]', '[REDACTED:token]']);
    expect(echo.requests.at(-1)!.headers['x-token']).toBe(SECRET);
    for (const text of seen.texts) expect(leaksIn(text)).toEqual([]);
  });
});

/** Every 5-character piece of a value: what a cut could leave of it. */
function piecesOf(value: string): string[] {
  return Array.from({ length: value.length - 4 }, (_, i) => value.slice(i, i + 5));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
