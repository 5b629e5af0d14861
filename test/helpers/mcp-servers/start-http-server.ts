/**
 * Starts a test MCP server over sse or streamable-http in its own process on
 * 127.0.0.1 and a random port (or a given one, to bring it back after a crash).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

export interface HttpMcpServer {
  kind: 'sse' | 'streamable-http';
  port: number;
  url: string;
  process: ChildProcess;
  /** open sessions and the Authorization headers seen so far */
  stats(): Promise<{ open: number; auth: (string | null)[] }>;
  stop(): Promise<void>;
}

const script = fileURLToPath(new URL('./http-server.mjs', import.meta.url));

/** Starts the server and waits until it listens. */
export async function startHttpMcpServer(kind: 'sse' | 'streamable-http', options: { port?: number; token?: string } = {}): Promise<HttpMcpServer> {
  const args = [script, kind, String(options.port ?? 0), ...(options.token ? [options.token] : [])];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening (\d+)/.exec(out);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`test MCP server exited early with code ${code}`)));
  });
  const base = `http://127.0.0.1:${port}`;
  return {
    kind,
    port,
    url: kind === 'sse' ? `${base}/sse` : `${base}/mcp`,
    process: child,
    stats: async () => (await (await fetch(`${base}/stats`)).json()) as { open: number; auth: (string | null)[] },
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await once(child, 'exit');
    },
  };
}

/** The path of the stdio test server script. */
export const STDIO_SERVER_SCRIPT = fileURLToPath(new URL('./stdio-server.mjs', import.meta.url));
