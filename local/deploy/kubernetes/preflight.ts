/**
 * What apply checks before it changes anything, and what `plan` reports: the
 * image references (a runtime image only this machine has, a Redis image
 * that is no reference), the port, the secrets (every one resolved, values
 * never kept), and — from the cluster, by the deployer — the API keys Secret
 * and the registry credentials the namespace's pods use. A finding belongs
 * to one resource; an `error` stops apply before its first request.
 */
import { apiKeysFromEnv } from '../../../shared/http/auth.js';
import { unresolvedUserKeys } from '../../../shared/http/user-keys.js';
import type { DeployContext } from '../types.js';
import { keysPlanOf } from '../api-keys.js';
import { autoscaleNotes } from './pod-resources.js';
import { managesRedis } from './redis-manifests.js';

export interface Finding {
  /** `Kind/name` of the object it is about */
  resource: string;
  level: 'error' | 'warning' | 'note';
  message: string;
}

/** Names a finding needs: the runtime Deployment, the Redis Deployment, the API keys Secret, the HPA. */
export interface Resources {
  deployment: string;
  redis: string;
  keysSecret: string;
  hpa: string;
}

// [registry[:port]/]path[:tag][@sha256:digest], lower-case path components
const IMAGE_REFERENCE =
  /^(?:[a-zA-Z0-9.-]+(?::\d+)?\/)?[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;

/** Checks that need no cluster: image references, port, autoscale requests, authentication. */
export function staticFindings(ctx: DeployContext, image: string, redisImage: string, r: Resources): Finding[] {
  const out: Finding[] = [];
  const deployment = `Deployment/${r.deployment}`;
  if (!IMAGE_REFERENCE.test(image)) out.push({ resource: deployment, level: 'error', message: `image "${image}" is not an image reference` });
  else if (image.startsWith('agentspec/'))
    out.push({
      resource: deployment,
      level: 'warning',
      message: `image "${image}" looks like the docker target's local tag, but here it names a repository on Docker Hub: apply pushes there unless it is pinned by digest`,
    });
  if (managesRedis(ctx.deploy) && !IMAGE_REFERENCE.test(redisImage))
    out.push({ resource: `Deployment/${r.redis}`, level: 'error', message: `Redis image "${redisImage}" is not an image reference` });
  const port = ctx.deploy.attributes.port ?? 8080;
  if (port < 1024)
    out.push({
      resource: deployment,
      level: 'warning',
      message: `port ${port} is privileged: the runtime runs as uid 10001 with every capability dropped, so binding it needs the cluster's unprivileged-port sysctl`,
    });
  const keys = keysPlanOf(ctx.deploy);
  if (keys.mode === 'none')
    out.push({
      resource: deployment,
      level: 'warning',
      message: 'auth "none": the endpoint serves WITHOUT authentication to anyone who can reach the Service',
    });
  for (const note of autoscaleNotes(ctx.deploy))
    out.push({
      resource: `HorizontalPodAutoscaler/${r.hpa}`,
      level: note.startsWith('warning: ') ? 'warning' : 'note',
      message: note.replace(/^warning: /, ''),
    });
  return out;
}

/** Resolves every secret the deploy block uses (values are dropped); a failure or an empty `api_keys` is an error. */
export async function secretFindings(ctx: DeployContext, r: Resources): Promise<Finding[]> {
  const out: Finding[] = [];
  for (const [variable, secret] of Object.entries(ctx.deploy.attributes.secrets)) {
    await ctx.secret(secret).catch((error: unknown) => {
      out.push({
        resource: `Secret/${r.deployment}-secrets`,
        level: 'error',
        message: `secret "${secret}" (${variable}) does not resolve: ${messageOf(error)}`,
      });
    });
  }
  for (const error of await unresolvedUserKeys(ctx.ir, { get: ctx.secret }, process.env))
    out.push({ resource: `Secret/${r.deployment}-secrets`, level: 'error', message: error.message });
  const named = ctx.deploy.attributes.api_keys;
  if (named !== undefined && keysPlanOf(ctx.deploy).mode === 'api-key') {
    const value = await ctx.secret(named).catch((error: unknown) => {
      out.push({ resource: `Secret/${r.keysSecret}`, level: 'error', message: `api_keys secret "${named}" does not resolve: ${messageOf(error)}` });
      return undefined;
    });
    if (value !== undefined && (apiKeysFromEnv({ AGENTSPEC_API_KEYS: value }) ?? []).length === 0)
      out.push({ resource: `Secret/${r.keysSecret}`, level: 'error', message: `api_keys secret "${named}" holds no key (comma-separated keys expected)` });
  }
  return out;
}

/** One line per finding, for progress and errors. */
export function describeFinding(f: Finding): string {
  return `${f.resource}: ${f.level === 'note' ? '' : `${f.level}: `}${f.message}`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
