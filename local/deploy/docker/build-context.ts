/**
 * The image a package runs in, as files: a Dockerfile, the bundled runtime,
 * the IR and the package asset (the files the IR references, servers
 * bundled: local/package/package-assets.ts) in the runtime's working
 * directory, where stdio servers' relative paths resolve. Pure: no Docker
 * here, so tests read the Dockerfile directly. Secrets never enter the
 * context — they are passed when the container runs.
 */
import { createHash } from 'node:crypto';
import { resourcesOf, type IRDocument } from '../../../shared/ir/types.js';
import type { PackageAsset } from '../../package/package-assets.js';

/** The official slim Node 22 image, used unless `base_image` says otherwise. */
export const DEFAULT_BASE_IMAGE = 'node:22-slim';
/** The non-root uid:gid the runtime runs as (a number: no user database needed in the base). */
export const RUNTIME_USER = '10001:10001';
export const LABEL_PREFIX = 'dev.agentspec';
/** The Redis image of a docker-compose stack's session service, unless configured. */
export const DEFAULT_REDIS_IMAGE = 'redis:7-alpine';
/** The package asset's folder in the build context. */
export const CONTEXT_PACKAGE_DIR = 'package';
/** … and in the image: the runtime's working directory, so the servers' relative paths resolve there. */
export const IMAGE_PACKAGE_DIR = '/app/package';

export interface BuildContextInput {
  ir: IRDocument;
  baseImage?: string;
  port: number;
  healthPath: string;
  /** SHA-256 of the runtime bundle, part of the image identity */
  bundleHash: string;
  /** the files the IR references; none when absent */
  packageAsset?: PackageAsset;
}

/** True when the package has inline Python tools (the image then needs python3). */
export function needsPython(ir: IRDocument): boolean {
  return resourcesOf(ir, 'Skill').some((s) => s.attributes.tool.type === 'inline' && s.attributes.tool.language === 'python');
}

/** The Dockerfile text. */
export function dockerfile(input: BuildContextInput): string {
  const probe = `fetch('http://127.0.0.1:${input.port}${input.healthPath}').then((r)=>process.exit(r.ok?0:1),()=>process.exit(1))`;
  const lines = [
    `FROM ${input.baseImage ?? DEFAULT_BASE_IMAGE}`,
    ...(needsPython(input.ir)
      ? [
          '# inline Python tools: use the base image python3, or install it',
          'RUN command -v python3 >/dev/null 2>&1 || (apt-get update && apt-get install -y --no-install-recommends python3 && rm -rf /var/lib/apt/lists/*)',
        ]
      : []),
    `WORKDIR ${IMAGE_PACKAGE_DIR}`,
    'COPY runtime.mjs ir.json /app/',
    ...(input.packageAsset?.files.length ? [`COPY ${CONTEXT_PACKAGE_DIR}/ ${IMAGE_PACKAGE_DIR}/`] : []),
    `ENV NODE_ENV=production AGENTSPEC_IR=/app/ir.json PORT=${input.port}`,
    `USER ${RUNTIME_USER}`,
    `EXPOSE ${input.port}`,
    `HEALTHCHECK --interval=5s --timeout=3s --start-period=5s --retries=3 CMD ["node", "-e", ${JSON.stringify(probe)}]`,
    'STOPSIGNAL SIGTERM',
    'CMD ["node", "/app/runtime.mjs"]',
    '',
  ];
  return lines.join('\n');
}

/** Labels naming the package and IR hash. */
export function imageLabels(ir: IRDocument): Record<string, string> {
  return {
    [`${LABEL_PREFIX}.package`]: ir.package.name,
    [`${LABEL_PREFIX}.version`]: ir.package.version,
    [`${LABEL_PREFIX}.ir-hash`]: ir.hash,
    [`${LABEL_PREFIX}.managed-by`]: 'agentspec',
  };
}

/** The build context's file names: the Dockerfile, the runtime, the IR and the package asset's files. */
export function contextFiles(input: BuildContextInput): string[] {
  return ['Dockerfile', 'runtime.mjs', 'ir.json', ...(input.packageAsset?.files ?? []).map((f) => `${CONTEXT_PACKAGE_DIR}/${f.path}`)];
}

/** Content hash of the image inputs: equal hashes build equal images. */
export function imageFingerprint(input: BuildContextInput): string {
  const hash = createHash('sha256').update(dockerfile(input)).update(input.bundleHash).update(input.ir.hash);
  if (input.packageAsset?.files.length) hash.update(input.packageAsset.digest);
  return hash.digest('hex');
}

/** `agentspec/<package>:<fingerprint prefix>`. */
export function imageTag(ir: IRDocument, fingerprint: string): string {
  const name = ir.package.name.toLowerCase().replace(/[^a-z0-9._-]/g, '-');
  return `agentspec/${name}:${fingerprint.slice(0, 16)}`;
}
