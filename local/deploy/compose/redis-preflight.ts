/**
 * The checks a docker-compose apply makes on its Redis service before it
 * changes anything: when Redis has to be (re)started, its host port must be
 * free or held by the target's own Redis container. Redis runs with host
 * networking on the local engine, so a probe bind on the host's loopback
 * tells whether the container will get the port.
 */
import { createServer } from 'node:net';
import { AgentSpecError, ErrorCode } from '../../../shared/errors.js';

/** True when something on this host listens on `127.0.0.1:port` (the bind fails with EADDRINUSE). */
export function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => (error.code === 'EADDRINUSE' ? resolve(true) : reject(error)));
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => server.close(() => resolve(false)));
  });
}

export interface RedisPortCheck {
  port: number;
  /** the port the target's own running Redis container holds, if any: that one is replaced, so its port counts as free */
  ownPort: number | undefined;
  target: string;
}

/** Fails with a deploy error naming the port when something other than the target's own Redis holds it. */
export async function checkRedisPort(check: RedisPortCheck): Promise<void> {
  if (check.ownPort === check.port) return;
  if (!(await portInUse(check.port))) return;
  throw new AgentSpecError(
    ErrorCode.DeployError,
    `Port ${check.port} on 127.0.0.1, where the Redis service of "${check.target}" would listen, is already in use by another program; ` +
      'stop it or choose another Redis port (deployer option redisPort). Nothing was changed.',
    { details: { port: check.port } },
  );
}
