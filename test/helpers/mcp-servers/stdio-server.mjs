// A test MCP server over stdio (plain .mjs so it starts without a TypeScript loader).
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { createTestServer } from './tools.mjs';

await createTestServer().connect(new StdioServerTransport());
// exit when the client closes our stdin, as well-behaved stdio servers do
process.stdin.on('end', () => process.exit(0));
