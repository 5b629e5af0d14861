/**
 * What the app learns about the connection from its entry point's bindings
 * (`c.env`), read by shape so the app keeps importing only Hono's core:
 * `@hono/node-server` passes `{incoming, outgoing}`, Hono's Lambda adapters
 * (and `functions/lib/stream-response.ts`) pass `{event, requestContext, …}`.
 */

interface NodeBindings {
  incoming?: { socket?: { remoteAddress?: string } };
}

interface LambdaBindings {
  requestContext?: { http?: { sourceIp?: string }; identity?: { sourceIp?: string } };
}

/**
 * The client's address: the socket's peer on Node, the source IP API Gateway
 * or the Function URL saw on Lambda; `undefined` when the entry point does not
 * say (e.g. `app.request` in tests). Behind a reverse proxy on Node this is
 * the proxy's address.
 */
export function clientAddress(env: unknown): string | undefined {
  if (typeof env !== 'object' || env === null) return undefined;
  const node = (env as NodeBindings).incoming?.socket?.remoteAddress;
  if (node) return node;
  const context = (env as LambdaBindings).requestContext;
  return context?.http?.sourceIp ?? context?.identity?.sourceIp;
}

/** True when the request arrived on a Node socket, where `Connection` is the server's to set. */
export function onNodeSocket(env: unknown): boolean {
  return typeof env === 'object' && env !== null && typeof (env as NodeBindings).incoming?.socket === 'object';
}
