/**
 * The registry's v2 HTTP API, as far as apply needs it: `/v2/` answers and
 * accepts the credentials (Basic, or a Bearer token from the realm the
 * registry names), and a manifest's digest by tag or digest (HEAD, the
 * `Docker-Content-Digest` header). Loopback registries are plain HTTP, as
 * the engine treats them; every other one HTTPS. Errors name the registry,
 * never the credentials.
 */
import { AgentSpecError, ErrorCode } from '../../../shared/errors.js';
import { isLoopbackRegistry } from './image-ref.js';
import type { RegistryCredentials } from './registry-credentials.js';

const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

export class RegistryClient {
  private readonly base: string;
  private readonly tokens = new Map<string, string>();

  constructor(
    readonly registry: string,
    private readonly credentials: RegistryCredentials | undefined,
    private readonly timeoutMs = 10_000,
  ) {
    const host = registry === 'docker.io' ? 'registry-1.docker.io' : registry;
    this.base = `${isLoopbackRegistry(registry) ? 'http' : 'https'}://${host}`;
  }

  /** Fails with a config_error unless `/v2/` answers and accepts the credentials (or anonymous access). */
  async check(repository: string): Promise<void> {
    const response = await this.request('GET', '/v2/', `repository:${repository}:pull,push`);
    if (response.status === 401 || response.status === 403) {
      throw new AgentSpecError(
        ErrorCode.ConfigError,
        this.credentials
          ? `The registry ${this.registry} refused the credentials from ${this.credentials.source} (HTTP ${response.status}).`
          : `The registry ${this.registry} needs credentials (HTTP ${response.status}): set registry_auth or log in with docker login.`,
        { details: { registry: this.registry } },
      );
    }
    if (!response.ok) throw new AgentSpecError(ErrorCode.ConfigError, `The registry ${this.registry} answered /v2/ with HTTP ${response.status}.`);
  }

  /** The digest of `repository:reference` (a tag or `sha256:…`), or undefined when the registry has no such manifest. */
  async manifestDigest(repository: string, reference: string): Promise<string | undefined> {
    const response = await this.request('HEAD', `/v2/${repository}/manifests/${reference}`, `repository:${repository}:pull`);
    if (response.status === 404) return undefined;
    if (!response.ok)
      throw new AgentSpecError(ErrorCode.DeployError, `The registry ${this.registry} answered HTTP ${response.status} for ${repository}:${reference}.`);
    return response.headers.get('docker-content-digest') ?? (reference.startsWith('sha256:') ? reference : undefined);
  }

  private async request(method: string, path: string, scope: string): Promise<Response> {
    const headers: Record<string, string> = { accept: MANIFEST_TYPES };
    const token = this.tokens.get(scope);
    if (token) headers.authorization = `Bearer ${token}`;
    else if (this.credentials) headers.authorization = `Basic ${this.basic()}`;
    let response = await this.fetch(`${this.base}${path}`, { method, headers });
    const challenge = response.headers.get('www-authenticate') ?? '';
    if (response.status === 401 && /^bearer /i.test(challenge) && !token) {
      const issued = await this.bearer(challenge, scope);
      if (issued) {
        this.tokens.set(scope, issued);
        response = await this.fetch(`${this.base}${path}`, { method, headers: { ...headers, authorization: `Bearer ${issued}` } });
      }
    }
    return response;
  }

  /** A token from the realm of a `Bearer realm="…",service="…"` challenge; undefined when refused. */
  private async bearer(challenge: string, scope: string): Promise<string | undefined> {
    const params = Object.fromEntries([...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1] ?? '', m[2] ?? '']));
    if (!params.realm) return undefined;
    const url = new URL(params.realm);
    if (params.service) url.searchParams.set('service', params.service);
    url.searchParams.set('scope', params.scope ?? scope);
    const response = await this.fetch(url.href, { headers: this.credentials ? { authorization: `Basic ${this.basic()}` } : {} });
    if (!response.ok) return undefined;
    const body = (await response.json().catch(() => ({}))) as { token?: string; access_token?: string };
    return body.token ?? body.access_token;
  }

  private basic(): string {
    return Buffer.from(`${this.credentials?.username ?? ''}:${this.credentials?.password ?? ''}`).toString('base64');
  }

  private async fetch(url: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(url, { ...init, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (error) {
      const reason = error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error);
      throw new AgentSpecError(ErrorCode.ConfigError, `The registry ${this.registry} could not be reached: ${reason}.`, {
        details: { registry: this.registry },
      });
    }
  }
}
