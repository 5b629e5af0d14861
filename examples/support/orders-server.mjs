#!/usr/bin/env node
// A small MCP server over stdio, shipped with the example: an in-memory order
// book the support agent can look up and update. Built with the official SDK.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';

const orders = new Map([
  ['A-1001', { id: 'A-1001', status: 'shipped', total: 42.5, items: ['kettle'], carrier: 'DHL' }],
  ['A-1002', { id: 'A-1002', status: 'pending', total: 12.0, items: ['mug', 'tea'] }],
  ['A-1003', { id: 'A-1003', status: 'delivered', total: 99.9, items: ['teapot'] }],
]);

const server = new McpServer({ name: 'orders', version: '1.0.0' });

server.registerTool('get_order', { description: 'Look up an order by its id', inputSchema: { order_id: z.string() } }, async ({ order_id }) => {
  const order = orders.get(order_id);
  if (!order) return { isError: true, content: [{ type: 'text', text: `No order ${order_id}` }] };
  return { content: [{ type: 'text', text: JSON.stringify(order) }] };
});

server.registerTool(
  'cancel_order',
  { description: 'Cancel a pending order', inputSchema: { order_id: z.string(), reason: z.string() } },
  async ({ order_id, reason }) => {
    const order = orders.get(order_id);
    if (!order) return { isError: true, content: [{ type: 'text', text: `No order ${order_id}` }] };
    if (order.status !== 'pending') {
      return { isError: true, content: [{ type: 'text', text: `Order ${order_id} is ${order.status} and can no longer be cancelled` }] };
    }
    order.status = 'cancelled';
    return { content: [{ type: 'text', text: JSON.stringify({ ...order, reason }) }] };
  },
);

await server.connect(new StdioServerTransport());
