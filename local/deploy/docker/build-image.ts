/**
 * Builds the runtime image of a package on a Docker engine (the docker and
 * docker-compose targets run it; the kubernetes target pushes it): the
 * generated context of build-context.ts, tagged with its content hash unless
 * a tag is given, skipped when an image with that tag exists already.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { AgentSpecError, ErrorCode } from '../../../shared/errors.js';
import type { IRDocument } from '../../../shared/ir/types.js';
import { writePackageAsset, type PackageAsset } from '../../package/package-assets.js';
import { CONTEXT_PACKAGE_DIR, contextFiles, dockerfile, imageFingerprint, imageLabels, imageTag, type BuildContextInput } from './build-context.js';
import { inspectImage } from './inspect.js';

export interface RuntimeImageRequest {
  ir: IRDocument;
  port: number;
  healthPath: string;
  packageAsset: PackageAsset;
  baseImage?: string;
  /** path of the bundled runtime (one ESM file) */
  bundlePath: string;
  /** the tag to build; `agentspec/<package>:<content hash>` otherwise */
  tag?: string;
  progress(message: string): void;
}

export interface RuntimeImage {
  tag: string;
  /** the engine's image id (`sha256:…`) */
  id: string;
}

/** The tag a request would build, without building: the content hash of everything that goes into the image. */
export async function runtimeImageTag(request: RuntimeImageRequest): Promise<{ tag: string; input: BuildContextInput; bundle: Buffer }> {
  const bundle = await readFile(request.bundlePath);
  const input: BuildContextInput = {
    ir: request.ir,
    port: request.port,
    healthPath: request.healthPath,
    bundleHash: createHash('sha256').update(bundle).digest('hex'),
    packageAsset: request.packageAsset,
    ...(request.baseImage ? { baseImage: request.baseImage } : {}),
  };
  return { tag: request.tag ?? imageTag(request.ir, imageFingerprint(input)), input, bundle };
}

/** Builds (or finds) the package's runtime image and returns its tag and id. */
export async function buildRuntimeImage(docker: Docker, request: RuntimeImageRequest): Promise<RuntimeImage> {
  const { tag, input, bundle } = await runtimeImageTag(request);
  const existing = await inspectImage(docker, tag);
  if (existing) return { tag, id: existing.Id };
  const dir = await mkdtemp(join(tmpdir(), 'agentspec-image-'));
  try {
    await writeFile(join(dir, 'Dockerfile'), dockerfile(input));
    await writeFile(join(dir, 'runtime.mjs'), bundle);
    await writeFile(join(dir, 'ir.json'), JSON.stringify(request.ir));
    if (input.packageAsset) writePackageAsset(input.packageAsset, join(dir, CONTEXT_PACKAGE_DIR));
    request.progress(`building image ${tag}`);
    const stream = await docker.buildImage({ context: dir, src: contextFiles(input) }, { t: tag, labels: imageLabels(request.ir), rm: true, forcerm: true });
    await new Promise<void>((resolve, reject) => {
      docker.modem.followProgress(
        stream,
        (error: Error | null, output: { error?: string; errorDetail?: { message?: string } }[]) => {
          const failed = error?.message ?? output.find((o) => o.error)?.error;
          if (failed) reject(new AgentSpecError(ErrorCode.DeployError, `Building image ${tag} failed: ${failed}`, { cause: error ?? undefined }));
          else resolve();
        },
        (event: { stream?: string }) => {
          const line = event.stream?.trim();
          if (line?.startsWith('Step ')) request.progress(line);
        },
      );
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const built = await docker.getImage(tag).inspect();
  return { tag, id: built.Id };
}
