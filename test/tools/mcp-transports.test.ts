/** The MCP transport contract, run for stdio, sse and streamable-http servers built with the SDK. */
import { startHttpMcpServer, STDIO_SERVER_SCRIPT, type HttpMcpServer } from '../helpers/mcp-servers/start-http-server.js';
import { server } from './fixtures.js';
import { runMcpTransportContract, type McpTransportFixture } from './mcp-transport.contract.js';

runMcpTransportContract('stdio', async () => ({
  server: server('local', { transport: 'stdio', command: process.execPath, args: [STDIO_SERVER_SCRIPT] }),
  poolOwnsProcess: true,
  revive: async () => {},
  openSessions: async () => undefined,
  dispose: async () => {},
}));

for (const kind of ['sse', 'streamable-http'] as const) {
  runMcpTransportContract(kind, async (): Promise<McpTransportFixture> => {
    let running: HttpMcpServer = await startHttpMcpServer(kind);
    return {
      server: server('remote', { transport: kind, url: running.url }),
      poolOwnsProcess: false,
      revive: async () => {
        await running.stop();
        running = await startHttpMcpServer(kind, { port: running.port });
      },
      openSessions: async () => (await running.stats()).open,
      dispose: () => running.stop(),
    };
  });
}
