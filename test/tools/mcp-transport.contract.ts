/**
 * The contract every MCP transport of the pool honours, run for stdio, sse
 * and streamable-http against real SDK servers: connect, list, call, tool
 * error, server crash and restart, concurrent calls, clean shutdown.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AgentSpecError } from '../../shared/errors.js';
import type { IRServer } from '../../shared/ir/types.js';
import { McpPool } from '../../shared/tools/mcp-pool.js';
import { eventually, irWith, isAlive, vaultFor } from './fixtures.js';

export interface McpTransportFixture {
  /** the declared server the pool connects to */
  server: IRServer;
  /** true when the pool starts (and must stop) the server process itself */
  poolOwnsProcess: boolean;
  /** after a crash, bring the server back (a remote server is not the pool's to restart); stdio: nothing to do */
  revive(): Promise<void>;
  /** sessions the server still holds open (remote servers), else undefined */
  openSessions(): Promise<number | undefined>;
  dispose(): Promise<void>;
}

const call = (ms = 10_000) => ({ signal: new AbortController().signal, timeoutMs: ms });

async function whoami(pool: McpPool, server: string): Promise<number> {
  return ((await pool.callTool(server, 'whoami', {}, call())) as { pid: number }).pid;
}

/** Runs the transport contract against servers made by `factory`. */
export function runMcpTransportContract(name: string, factory: () => Promise<McpTransportFixture>): void {
  describe(`MCP transport contract: ${name}`, () => {
    let fixture: McpTransportFixture;
    let pool: McpPool;

    // one server per transport (starting one costs a process); a fresh pool per test
    beforeAll(async () => {
      fixture = await factory();
    });

    afterAll(async () => {
      await fixture.dispose();
    });

    beforeEach(() => {
      const ir = irWith({ servers: [fixture.server] });
      pool = new McpPool([fixture.server], { secrets: vaultFor(ir), connectTimeoutMs: 10_000 });
    });

    afterEach(async () => {
      await pool.close();
    });

    it('connects and lists the server tools with their schemas', async () => {
      const tools = await pool.listTools(fixture.server.name);

      expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(['echo', 'add', 'slow', 'fail', 'crash', 'whoami']));
      const add = tools.find((t) => t.name === 'add')!;
      expect(add.description).toContain('Adds');
      expect(add.inputSchema).toMatchObject({ type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } } });
    });

    it('calls a tool: a JSON text block becomes JSON, other text stays text', async () => {
      const sum = await pool.callTool(fixture.server.name, 'add', { a: 2, b: 3 }, call());
      const echoed = await pool.callTool(fixture.server.name, 'echo', { text: 'hello there' }, call());

      expect(sum).toEqual({ sum: 5 });
      expect(echoed).toBe('hello there');
    });

    it("checks structured output against the tool's output schema on the client side and passes a valid one through", async () => {
      // listing caches the output schemas the client validates structured results against
      const tools = await pool.listTools(fixture.server.name);
      expect(tools.find((t) => t.name === 'measure')?.outputSchema).toMatchObject({ properties: { length: { type: 'number' } } });

      const measured = await pool.callTool(fixture.server.name, 'measure', { text: 'four' }, call());

      expect(measured).toEqual({ length: 4, text: 'four' });
    });

    it('turns an isError result into a tool error and keeps serving', async () => {
      const failing = pool.callTool(fixture.server.name, 'fail', {}, call());

      await expect(failing).rejects.toSatisfy(
        (e: unknown) => e instanceof AgentSpecError && e.code === 'tool_error' && e.message.includes('failed on purpose'),
      );
      expect(await pool.callTool(fixture.server.name, 'add', { a: 1, b: 1 }, call())).toEqual({ sum: 2 });
    });

    it('fails the call in flight when the server dies, and serves the next call from a restarted server', async () => {
      const before = await whoami(pool, fixture.server.name);

      const crashing = pool.callTool(fixture.server.name, 'crash', {}, call(3_000));
      await expect(crashing).rejects.toBeInstanceOf(AgentSpecError);
      await fixture.revive();
      const after = await whoami(pool, fixture.server.name);

      expect(after).not.toBe(before);
      expect(isAlive(before)).toBe(false);
      expect(await pool.callTool(fixture.server.name, 'add', { a: 4, b: 4 }, call())).toEqual({ sum: 8 });
    });

    it('runs concurrent calls over one connection, overlapping in time', async () => {
      const first = await whoami(pool, fixture.server.name);
      const started = Date.now();

      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => pool.callTool(fixture.server.name, 'slow', { ms: 300 + i }, call())));
      const elapsed = Date.now() - started;

      expect(results).toEqual(Array.from({ length: 8 }, (_, i) => ({ slept: 300 + i })));
      expect(elapsed).toBeLessThan(8 * 300); // sequential calls would need at least 2.4 s
      expect(await whoami(pool, fixture.server.name)).toBe(first);
      expect(pool.size).toBe(1);
    });

    it('leaves no process or session behind on close', async () => {
      const pid = await whoami(pool, fixture.server.name);

      await pool.close();

      expect(pool.size).toBe(0);
      if (fixture.poolOwnsProcess) expect(await eventually(() => !isAlive(pid))).toBe(true);
      else expect(await eventually(async () => (await fixture.openSessions()) === 0)).toBe(true);
    });
  });
}
