/** Whether the runtime could listen on an address: bound for a moment and let go, before anything is stopped. */
import { createServer } from 'node:net';

/** `free`, `in-use` (EADDRINUSE), or the error code that refuses the address (EADDRNOTAVAIL: not an address of this machine). */
export function portAvailability(host: string, port: number): Promise<'free' | 'in-use' | string> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'EADDRINUSE' ? 'in-use' : (error.code ?? error.message)));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve('free')));
  });
}
