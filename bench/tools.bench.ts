/**
 * Tools: a pooled stdio MCP call against a bare SDK client calling the same
 * server (side by side, same run), the registry's own cost on top, the number
 * of server processes that served the calls, and spawning a server per call
 * for contrast.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { performance } from 'node:perf_hooks';
import type { IRServer } from '../shared/ir/types.js';
import { SecretVault } from '../shared/secrets/vault.js';
import { McpPool } from '../shared/tools/mcp-pool.js';
import { createToolRegistry } from '../shared/tools/registry.js';
import { STDIO_SERVER_SCRIPT } from '../test/helpers/mcp-servers/start-http-server.js';
import { measure, ms, section, stats } from './harness.js';

const CALLS = 1000;
const server: IRServer = {
  kind: 'Server',
  name: 'bench',
  fqn: 'bench/Server/bench',
  hash: '0',
  attributes: { transport: 'stdio', command: process.execPath, args: [STDIO_SERVER_SCRIPT], env: {}, exposes: [] },
};
const ir = {
  ir_version: '1' as const,
  package: { name: 'bench', version: '0.0.0', lang: '2.0' as const },
  hash: '0',
  resources: [
    server,
    { kind: 'Client' as const, name: 'kit', fqn: 'bench/Client/kit', hash: '0', attributes: { servers: ['bench'] } },
    {
      kind: 'Agent' as const,
      name: 'bot',
      fqn: 'bench/Agent/bot',
      hash: '0',
      attributes: {
        skills: [],
        model: 'claude-sonnet-4-20250514',
        provider: 'anthropic',
        strategy: 'react' as const,
        max_turns: 10,
        timeout_ms: 120_000,
        token_budget: 100_000,
        stream: true,
        on_error: 'fail' as const,
        max_retries: 0,
        memory: { strategy: 'sliding_window' as const, max_messages: 50 },
        delegates: [],
        clients: ['kit'],
        metadata: {},
      },
    },
  ],
};

export default async function toolsBench(): Promise<void> {
  const signal = new AbortController().signal;
  const pool = new McpPool([server], { secrets: new SecretVault(ir) });
  const bare = new Client({ name: 'bench-bare', version: '0' }, { capabilities: {} });
  await bare.connect(new StdioClientTransport({ command: process.execPath, args: [STDIO_SERVER_SCRIPT] }));
  const registry = createToolRegistry(ir, { secrets: new SecretVault(ir) });
  const ctx = { signal, agent: 'bot', callId: 'bench' };
  await registry.definitionsFor('bot');

  const pids = new Set<number>();
  const pooledCall = async () => {
    const out = (await pool.callTool('bench', 'whoami', {}, { signal, timeoutMs: 10_000 })) as { pid: number };
    pids.add(out.pid);
  };
  const bareCall = () => bare.callTool({ name: 'whoami', arguments: {} });
  const registryCall = () => registry.call('bot', 'bench__whoami', {}, ctx);

  // interleave rounds so machine noise hits all three alike
  const pooled: number[] = [];
  const direct: number[] = [];
  const viaRegistry: number[] = [];
  for (let i = 0; i < 50; i++) {
    await pooledCall();
    await bareCall();
    await registryCall();
  }
  pids.clear();
  const rounds = 10;
  for (let r = 0; r < rounds; r++) {
    for (const [fn, into] of [
      [pooledCall, pooled],
      [bareCall, direct],
      [registryCall, viaRegistry],
    ] as const) {
      for (let i = 0; i < CALLS / rounds; i++) {
        const t0 = performance.now();
        await fn();
        into.push(performance.now() - t0);
      }
    }
  }
  const p = stats(pooled);
  const b = stats(direct);
  const g = stats(viaRegistry);
  const spawn = await measure(
    async () => {
      const once = new McpPool([server], { secrets: new SecretVault(ir) });
      await once.callTool('bench', 'whoami', {}, { signal, timeoutMs: 30_000 });
      await once.close();
    },
    { iterations: 5, warmup: 1 },
  );
  await Promise.all([pool.close(), bare.close(), registry.close()]);

  section(`Pooled stdio MCP call (trivial tool, ${CALLS} calls each, interleaved)`, [
    ['bare SDK client median / p99', `${ms(b.median)} / ${ms(b.p99)}`],
    ['McpPool median / p99', `${ms(p.median)} / ${ms(p.p99)}`],
    ['registry.call median / p99', `${ms(g.median)} / ${ms(g.p99)}  (validation, timeout, redaction)`],
    ['pool ÷ bare SDK (median)', `${(p.median / b.median).toFixed(2)}×`],
    ['pool overhead over bare SDK (median)', ms(p.median - b.median)],
    ['registry overhead over bare SDK (median)', ms(g.median - b.median)],
    ['server processes serving the pooled calls', `${pids.size} (pid ${[...pids].join(', ')})`],
    ['spawn a server per call (5 samples) median', ms(spawn.median)],
    ['goal', 'pooled round trip ≤ 0.5 ms median, one process'],
  ]);
}
