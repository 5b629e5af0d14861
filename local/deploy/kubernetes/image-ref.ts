/**
 * An image reference split the way a registry sees it: the registry host
 * (Docker Hub when the first path part is no host), the repository, and an
 * optional tag and digest. Pure.
 */

export interface ImageRef {
  /** host[:port] as written (`docker.io` when none) */
  registry: string;
  /** the path within the registry (`library/x` for a bare Docker Hub name) */
  repository: string;
  tag?: string;
  /** `sha256:…` */
  digest?: string;
}

const DOCKER_HUB = 'docker.io';

/** Splits `[host[:port]/]path[:tag][@sha256:…]`. */
export function parseImageRef(image: string): ImageRef {
  const at = image.indexOf('@');
  const digest = at >= 0 ? image.slice(at + 1) : undefined;
  let rest = at >= 0 ? image.slice(0, at) : image;
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  const tag = colon > slash ? rest.slice(colon + 1) : undefined;
  if (tag !== undefined) rest = rest.slice(0, colon);
  const first = rest.split('/')[0] ?? '';
  const hasHost = rest.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  const registry = hasHost ? first : DOCKER_HUB;
  let repository = hasHost ? rest.slice(first.length + 1) : rest;
  if (registry === DOCKER_HUB && !repository.includes('/')) repository = `library/${repository}`;
  return { registry, repository, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
}

/** `host/repository` as the engine and the cluster name it (no tag, no digest). */
export function repositoryName(ref: ImageRef): string {
  return `${ref.registry}/${ref.repository}`;
}

/** `host/repository@sha256:…`: the reference a Deployment pins. */
export function pinnedRef(ref: ImageRef, digest: string): string {
  return `${repositoryName(ref)}@${digest}`;
}

/** True for a registry on this machine's loopback, which the engine (and this client) reach over plain HTTP. */
export function isLoopbackRegistry(registry: string): boolean {
  const host = registry.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}
