/**
 * Through the real runtime, the Anthropic provider and the fake Anthropic
 * server: the model asks for four tools of different kinds (mcp over stdio,
 * http, command, inline in the sandbox) in one turn; they run concurrently
 * and their results come back to the model as tool_result blocks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnthropicProvider } from '../../shared/llm/anthropic-provider.js';
import { Runtime } from '../../shared/loop/runtime.js';
import { createSandbox } from '../../shared/sandbox/index.js';
import { createToolRegistry } from '../../shared/tools/registry.js';
import type { ToolRegistry } from '../../shared/tools/types.js';
import { startFakeAnthropic, type FakeAnthropic } from '../helpers/fake-anthropic/index.js';
import { startHttpEchoServer, type HttpEchoServer } from '../helpers/http-echo-server.js';
import { agent, irOf } from '../helpers/ir-builder.js';
import { STDIO_SERVER_SCRIPT } from '../helpers/mcp-servers/start-http-server.js';
import { requireCommand } from '../helpers/require-system.js';
import { envSecret, server, skill, vaultFor } from './fixtures.js';

const WORK_MS = 600;

describe('tools end to end through the runtime', () => {
  let fake: FakeAnthropic;
  let echo: HttpEchoServer;
  let registry: ToolRegistry;
  let runtime: Runtime;
  const durations: number[] = [];

  beforeAll(async () => {
    requireCommand('bwrap');
    requireCommand('python3');
    fake = await startFakeAnthropic();
    echo = await startHttpEchoServer();
    const ir = irOf(
      server('helper', { transport: 'stdio', command: process.execPath, args: [STDIO_SERVER_SCRIPT] }),
      envSecret('token', 'E2E_TOKEN'),
      skill('wait-mcp', { type: 'mcp', server: 'helper', tool: 'slow' }),
      skill('wait-http', {
        type: 'http',
        method: 'GET',
        url: `${echo.url}/slow/{{ms}}`,
        headers: { Authorization: 'Bearer {{secret.token}}' },
        timeout_ms: 20_000,
      }),
      skill('wait-command', {
        type: 'command',
        binary: process.execPath,
        args: ['-e', `setTimeout(()=>console.log(JSON.stringify({kind:"command"})), ${WORK_MS})`],
        timeout_ms: 20_000,
        env: {},
        secrets: {},
      }),
      skill('wait-inline', {
        type: 'inline',
        language: 'python',
        code: `import json,sys,time\nargs=json.load(sys.stdin)\ntime.sleep(${WORK_MS / 1000})\nprint(json.dumps({"kind":"inline","got":args["ms"]}))`,
        timeout_ms: 20_000,
        memory_bytes: 256 << 20,
        env: {},
        secrets: {},
      }),
      agent('bot', { skills: ['wait-mcp', 'wait-http', 'wait-command', 'wait-inline'] }),
    );
    const logger = (line: Record<string, unknown>) => {
      if (line.msg === 'tool call') durations.push(Number(line.duration_ms));
    };
    registry = createToolRegistry(ir, {
      secrets: vaultFor(ir, { E2E_TOKEN: 'e2e-token-value' }),
      sandbox: createSandbox({ poolSize: 1, logger: () => {} }),
      logger,
    });
    const provider = createAnthropicProvider({ baseURL: fake.url, apiKey: 'test-key' });
    runtime = Runtime.fromIR(ir, { providerFor: () => provider, tools: registry });
  });

  afterAll(async () => {
    await runtime?.close();
    await registry?.close();
    await echo?.close();
    await fake?.close();
  });

  it('runs four kinds of tools asked in one turn concurrently and returns each result to the model', async () => {
    // Prepare
    const arrivals: number[] = [];
    const input = { ms: WORK_MS };
    fake.respond((_request, n) => {
      arrivals.push(Date.now());
      return n === 0
        ? {
            toolUses: [
              { id: 'toolu_mcp', name: 'wait-mcp', input },
              { id: 'toolu_http', name: 'wait-http', input },
              { id: 'toolu_cmd', name: 'wait-command', input },
              { id: 'toolu_inline', name: 'wait-inline', input },
            ],
          }
        : { text: 'all four answered' };
    });

    // Act
    const result = await runtime.invoke('bot', { message: 'run them all' });

    // Assess
    expect(result.output).toBe('all four answered');
    const second = fake.requests[1]!.body as {
      messages: { role: string; content: { type: string; tool_use_id?: string; content?: unknown; is_error?: boolean }[] }[];
    };
    const results = second.messages.at(-1)!.content.filter((b) => b.type === 'tool_result');
    expect(results.map((b) => [b.tool_use_id, b.is_error ?? false])).toEqual([
      ['toolu_mcp', false],
      ['toolu_http', false],
      ['toolu_cmd', false],
      ['toolu_inline', false],
    ]);
    const text = (b: (typeof results)[number]) => (typeof b.content === 'string' ? b.content : JSON.stringify(b.content));
    expect(JSON.parse(text(results[0]!))).toEqual({ slept: WORK_MS });
    expect(text(results[1]!)).toBe('late');
    expect(JSON.parse(text(results[2]!))).toEqual({ kind: 'command' });
    expect(JSON.parse(text(results[3]!))).toEqual({ kind: 'inline', got: WORK_MS });
    // concurrent: the time between the two model calls is less than the tools' summed run times
    expect(durations).toHaveLength(4);
    const toolPhase = arrivals[1]! - arrivals[0]!;
    expect(toolPhase).toBeLessThan(durations.reduce((a, b) => a + b, 0));
    expect(echo.requests.at(-1)!.headers.authorization).toBe('Bearer e2e-token-value');
  });
});
