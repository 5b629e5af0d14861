/**
 * The runtime image a Deployment runs, published: built with the docker
 * target's build (build-image.ts), tagged `<repository>:<content hash>` (and
 * with the tag the `image` attribute names, if any), pushed through the
 * engine, and pinned by the digest the push reports. Nothing is built or
 * pushed when the registry already has the content hash's tag.
 */
import type Docker from 'dockerode';
import { AgentSpecError, ErrorCode } from '../../../shared/errors.js';
import type { PackageAsset } from '../../package/package-assets.js';
import type { DeployContext } from '../types.js';
import { pinnedRef, repositoryName, type ImageRef } from './image-ref.js';
import type { RegistryClient } from './registry-client.js';
import type { RegistryCredentials } from './registry-credentials.js';
import { DEFAULTS } from '../../../shared/lang/lower.js';

export interface PublishRequest {
  ctx: DeployContext;
  docker: Docker;
  /** the `image` attribute, parsed */
  ref: ImageRef;
  registry: RegistryClient;
  credentials: RegistryCredentials | undefined;
  bundlePath: () => Promise<string>;
  packageAsset: PackageAsset;
}

export interface PublishedImage {
  /** `host/repository@sha256:…` */
  ref: string;
  /** `host/repository:<content hash>` */
  tag: string;
  pushed: boolean;
}

/** the port a deploy block without `port` serves on: the language's default */
const DEFAULT_PORT = DEFAULTS.port;

/** Builds and pushes the package's image unless the registry has it already; returns the pinned reference. */
export async function publishImage(request: PublishRequest): Promise<PublishedImage> {
  const { ctx, ref, registry } = request;
  const { runtimeImageTag, buildRuntimeImage } = await import('../docker/build-image.js');
  const attrs = ctx.deploy.attributes;
  const base = {
    ir: ctx.ir,
    port: attrs.port ?? DEFAULT_PORT,
    healthPath: attrs.health?.path ?? '/healthz',
    packageAsset: request.packageAsset,
    bundlePath: await request.bundlePath(),
    progress: ctx.progress,
    ...(attrs.base_image ? { baseImage: attrs.base_image } : {}),
  };
  // the content hash is the tag the docker target would give the same inputs
  const hash = (await runtimeImageTag(base)).tag.split(':').pop() ?? '';
  const repository = repositoryName(ref);
  const tag = `${repository}:${hash}`;
  const existing = await registry.manifestDigest(ref.repository, hash);
  if (existing) {
    ctx.progress(`${tag} is in the registry already (${existing.slice(0, 19)}…): nothing to build or push`);
    return { ref: pinnedRef(ref, existing), tag, pushed: false };
  }
  const built = await buildRuntimeImage(request.docker, { ...base, tag });
  if (ref.tag && ref.tag !== hash) await request.docker.getImage(built.id).tag({ repo: repository, tag: ref.tag });
  let digest = '';
  for (const pushTag of ref.tag && ref.tag !== hash ? [hash, ref.tag] : [hash]) {
    ctx.progress(`pushing ${repository}:${pushTag}`);
    digest = await push(request, repository, pushTag);
  }
  return { ref: pinnedRef(ref, digest), tag, pushed: true };
}

/** Pushes one tag and returns the digest the engine reports for it. */
async function push(request: PublishRequest, repository: string, tag: string): Promise<string> {
  const { credentials, docker } = request;
  const authconfig = credentials
    ? { username: credentials.username, password: credentials.password, serveraddress: request.ref.registry }
    : { serveraddress: request.ref.registry };
  const stream = await docker.getImage(repository).push({ tag, authconfig });
  const events = await new Promise<PushEvent[]>((resolve, reject) => {
    docker.modem.followProgress(stream, (error: Error | null, output: PushEvent[]) => (error ? reject(error) : resolve(output)));
  }).catch((error: unknown) => {
    throw pushError(repository, tag, error instanceof Error ? error.message : String(error));
  });
  const failed = events.find((e) => e.error);
  if (failed) throw pushError(repository, tag, failed.errorDetail?.message ?? failed.error ?? 'unknown error');
  const digest = events.map((e) => e.aux?.Digest).find(Boolean) ?? events.map((e) => /digest: (sha256:[a-f0-9]{64})/.exec(e.status ?? '')?.[1]).find(Boolean);
  if (!digest) throw pushError(repository, tag, 'the engine reported no digest');
  return digest;
}

interface PushEvent {
  status?: string;
  error?: string;
  errorDetail?: { message?: string };
  aux?: { Tag?: string; Digest?: string; Size?: number };
}

function pushError(repository: string, tag: string, reason: string): AgentSpecError {
  return new AgentSpecError(ErrorCode.DeployError, `Pushing ${repository}:${tag} failed: ${reason}`, { details: { image: `${repository}:${tag}` } });
}
