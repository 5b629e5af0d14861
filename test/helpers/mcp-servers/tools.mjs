// The tools every test MCP server offers, registered on an SDK McpServer.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';

const text = (value) => ({ content: [{ type: 'text', text: typeof value === 'string' ? value : JSON.stringify(value) }] });

/** A new McpServer with echo, add, slow, fail, crash, whoami, two-blocks and measure (structured output). */
export function createTestServer() {
  const server = new McpServer({ name: 'agentspec-test-server', version: '1.0.0' });
  server.registerTool('echo', { description: 'Returns the text it is given.', inputSchema: { text: z.string() } }, async ({ text: t }) => text(t));
  server.registerTool('add', { description: 'Adds two numbers; returns {"sum": n}.', inputSchema: { a: z.number(), b: z.number() } }, async ({ a, b }) =>
    text({ sum: a + b }),
  );
  server.registerTool('slow', { description: 'Sleeps for ms milliseconds, then answers.', inputSchema: { ms: z.number() } }, async ({ ms }) => {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return text({ slept: ms });
  });
  server.registerTool('fail', { description: 'Always reports a tool error.', inputSchema: {} }, async () => ({
    isError: true,
    content: [{ type: 'text', text: 'the fail tool failed on purpose' }],
  }));
  server.registerTool('crash', { description: 'Ends the server process at once.', inputSchema: {} }, async () => {
    process.stderr.write('crashing on request\n');
    setTimeout(() => process.exit(3), 0);
    return new Promise(() => {});
  });
  server.registerTool('whoami', { description: 'Returns the server pid and the names of its environment variables.', inputSchema: {} }, async () =>
    text({ pid: process.pid, env: Object.keys(process.env).sort() }),
  );
  server.registerTool('two-blocks', { description: 'Returns two text blocks.', inputSchema: {} }, async () => ({
    content: [
      { type: 'text', text: 'first' },
      { type: 'text', text: 'second' },
    ],
  }));
  server.registerTool(
    'measure',
    {
      description: 'Returns the length of a text as structured content.',
      inputSchema: { text: z.string() },
      outputSchema: { length: z.number(), text: z.string() },
    },
    async ({ text: t }) => ({
      content: [{ type: 'text', text: JSON.stringify({ length: t.length, text: t }) }],
      structuredContent: { length: t.length, text: t },
    }),
  );
  return server;
}
