/**
 * A lingering close for the Node server. When a response ends the connection
 * (`Connection: close`) while the request body is still arriving — a 413 that
 * cut an oversize body off — closing the socket at once makes the kernel
 * answer the unread bytes with a reset, and a client still writing fails on a
 * write before it reads the 413. Instead the server half-closes (its FIN
 * follows the response), keeps reading and dropping what the client sends
 * until the client closes or a bound ({@link LINGER}) is reached, and only
 * then destroys the socket, as nginx and Apache do. A request pipelined behind
 * the cut-off body is dropped, never run.
 */
import type { IncomingMessage, RequestListener } from 'node:http';
import { Socket } from 'node:net';

export interface LingerLimits {
  /** longest time the socket is held after the response */
  ms: number;
  /** most bytes read and dropped after the response (one parsed read, at most 64 KiB, may cross it) */
  bytes: number;
}

/**
 * 2 s or 16 MiB, whichever comes first. The byte bound lies above what the
 * kernel's socket buffers hold in flight (a few MiB on Linux), so a client that
 * reads while it writes gets the 413 and closes before the bound is reached.
 */
export const LINGER: LingerLimits = { ms: 2_000, bytes: 16 * 1024 * 1024 };

/** What one lingering close did. */
export interface LingeredClose {
  held_ms: number;
  discarded_bytes: number;
  /** `client`: the client closed (or reset) first; otherwise the bound that ended it */
  ended_by: 'client' | 'time' | 'bytes';
}

/**
 * Wraps the request listener so that a connection closed with the current
 * request's body unfinished lingers; `onClosed` hears of each such close.
 */
export function withLingeringClose(listener: RequestListener, onClosed: (close: LingeredClose) => void, limits: LingerLimits = LINGER): RequestListener {
  const lingering = new WeakMap<Socket, (request: IncomingMessage) => void>();
  return (request, response) => {
    const socket = request.socket;
    const drop = lingering.get(socket);
    if (drop) return drop(request);
    // Node's server (and the adapter's bounded drain) close a `Connection: close` connection through `destroySoon`.
    socket.destroySoon = () => {
      if (lingering.has(socket)) return;
      if (request.complete || socket.destroyed) return Socket.prototype.destroySoon.call(socket);
      lingering.set(socket, linger(socket, request, limits, onClosed));
    };
    listener(request, response);
  };
}

/** Half-closes `socket` and discards its input within `limits`; returns how to drop a request pipelined behind. */
function linger(socket: Socket, request: IncomingMessage, limits: LingerLimits, onClosed: (close: LingeredClose) => void) {
  const started = performance.now();
  const before = socket.bytesRead;
  let endedBy: LingeredClose['ended_by'] = 'client';
  const stop = (bound: 'time' | 'bytes') => {
    if (socket.destroyed) return;
    endedBy = bound;
    socket.destroy();
  };
  const timer = setTimeout(() => stop('time'), limits.ms);
  // Node's HTTP parser reads the socket itself: each parsed piece of a body is where the bytes read are counted.
  const check = () => {
    if (socket.bytesRead - before > limits.bytes) stop('bytes');
  };
  const drop = (pending: IncomingMessage) => {
    // As Node's own dump does: no reader (the web stream that stopped reading would pause the socket) but a discarding one.
    pending.removeAllListeners('data');
    pending.on('data', check);
    pending.resume();
    check();
  };
  socket.once('close', () => {
    clearTimeout(timer);
    onClosed({ held_ms: Math.round(performance.now() - started), discarded_bytes: socket.bytesRead - before, ended_by: endedBy });
  });
  drop(request);
  socket.end();
  return drop;
}
