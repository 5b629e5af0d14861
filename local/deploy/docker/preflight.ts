/**
 * Checks an apply runs before it builds or stops anything: the port is free
 * (or held by this target's own container), an image (the base image, the
 * compose stack's Redis) is on the engine or can be pulled, a rollback's
 * recorded image is still there. Each failure
 * is a `deploy_error` saying what to do.
 */
import type Docker from 'dockerode';
import { AgentSpecError, ErrorCode } from '../../../shared/errors.js';
import type { TargetState } from '../types.js';
import { inspectImage } from './inspect.js';
import { portAvailability } from '../port-availability.js';

/** True when `host`:`port` can be bound now (nothing listens there). */
export async function portIsFree(host: string, port: number): Promise<boolean> {
  return (await portAvailability(host, port)) === 'free';
}

/** Refuses a port something else listens on; `ownHolder` says whether one of this target's containers holds it. */
export async function requirePort(deployName: string, host: string, port: number, ownHolder: () => Promise<boolean>): Promise<void> {
  if (await portIsFree(host, port)) return;
  if (await ownHolder()) return;
  throw new AgentSpecError(
    ErrorCode.DeployError,
    `Port ${port} on ${host} is in use by something other than deploy "${deployName}": stop what listens there or set another port; nothing was built or stopped.`,
    { details: { deploy: deployName, port, host } },
  );
}

/** What an image is for, in the error when it is missing: `base image`, `Redis image`, and what to do instead of pulling it. */
export interface ImageUse {
  role: string;
  alternative: string;
}

/** The image is on the engine, or is pulled now; a `deploy_error` naming its role and what to do when neither. */
export async function requireImage(docker: Docker, image: string, use: ImageUse, progress: (message: string) => void): Promise<void> {
  if (await inspectImage(docker, image)) return;
  progress(`pulling ${use.role} ${image}`);
  try {
    const stream = await docker.pull(image);
    await new Promise<void>((resolve, reject) => {
      docker.modem.followProgress(stream, (error: Error | null, output: { error?: string }[]) => {
        const failed = error?.message ?? output.find((o) => o.error)?.error;
        if (failed) reject(new Error(failed));
        else resolve();
      });
    });
  } catch (error) {
    throw new AgentSpecError(
      ErrorCode.DeployError,
      `The ${use.role} ${image} is not on this Docker engine and pulling it failed (${error instanceof Error ? error.message : String(error)}): pull or load it (docker pull ${image}), or ${use.alternative}; nothing was built or stopped.`,
      { details: { image } },
    );
  }
}

/** The base image is on the engine, or is pulled now; a clear error when neither. */
export function requireBaseImage(docker: Docker, image: string, progress: (message: string) => void): Promise<void> {
  return requireImage(docker, image, { role: 'base image', alternative: 'set base_image to an image you have' }, progress);
}

/** The image of the version a rollback goes back to, which must still be on the engine: its id. */
export async function requireRestoreImage(docker: Docker, restore: TargetState): Promise<string> {
  const id = String(restore.ids.image ?? '');
  const tag = String(restore.ids.tag ?? '');
  if (id && (await inspectImage(docker, id))) return id;
  throw new AgentSpecError(
    ErrorCode.DeployError,
    `The image of version ${restore.ir_hash.slice(0, 12)} (${tag || 'no tag'}, ${id || 'no image id'}) is no longer on this Docker engine, so rollback cannot run it without a rebuild: check out that version of the package and apply it instead.`,
    { details: { image: id, tag, version: restore.ir_hash } },
  );
}
