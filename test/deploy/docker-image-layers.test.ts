/**
 * Removing a runtime image takes its own builder layers with it (no dangling images left behind) and never a
 * layer another image is built on: two packages built on one base share the `WORKDIR` step, and after one is
 * removed the other still builds from it and runs.
 */
import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPackage } from '../../local/package/load-package.js';
import { packageAsset } from '../../local/package/package-assets.js';
import { bundleRuntime } from '../../local/deploy/bundle-runtime.js';
import { buildRuntimeImage, type RuntimeImage } from '../../local/deploy/docker/build-image.js';
import { ownLayers } from '../../local/deploy/docker/image-layers.js';
import { removeImage } from '../../local/deploy/docker/retention.js';
import { inspectImage } from '../../local/deploy/docker/inspect.js';
import { ensureBaseImage, requireDocker } from '../helpers/docker.js';
import { writePackage } from './helpers/deploy-package.js';

const docker = new Docker();
const dirs: string[] = [];

async function build(name: string, base: string): Promise<RuntimeImage> {
  const file = await writePackage({ name: `layers-${name}-${process.pid}`, target: 'docker', port: 8080, deployLines: [`base_image "${base}"`] });
  dirs.push(dirname(file));
  const { ir } = await loadPackage(file);
  return buildRuntimeImage(docker, {
    ir,
    port: 8080,
    healthPath: '/healthz',
    packageAsset: packageAsset(ir, dirname(file)),
    baseImage: base,
    bundlePath: await bundleRuntime(),
    progress: () => undefined,
  });
}

async function dangling(): Promise<Set<string>> {
  return new Set((await docker.listImages({ filters: { dangling: ['true'] } })).map((i) => i.Id));
}

describe('removing a runtime image', { timeout: 240_000 }, () => {
  let base: string;
  let first: RuntimeImage;
  let second: RuntimeImage;

  beforeAll(async () => {
    requireDocker();
    base = await ensureBaseImage();
    first = await build('first', base);
    second = await build('second', base);
  }, 240_000);

  afterAll(async () => {
    for (const image of [first, second]) if (image) await removeImage(docker, image);
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  it('removes its own builder layers and leaves none dangling', async () => {
    const layers = await ownLayers(docker, first.id);
    expect(layers.length).toBeGreaterThan(3); // the COPY of runtime and IR, ENV, USER, EXPOSE, HEALTHCHECK, … LABEL steps
    expect(await removeImage(docker, first)).toBe(true);
    for (const id of layers) expect(await inspectImage(docker, id)).toBeUndefined();
    const left = await dangling();
    expect(layers.filter((id) => left.has(id))).toEqual([]);
  });

  it('keeps the shared steps the other image is built on, which still runs', async () => {
    const own = new Set(await ownLayers(docker, second.id));
    const chain: string[] = [];
    for (let id = (await inspectImage(docker, second.id))?.Parent; id; id = (await inspectImage(docker, id))?.Parent) chain.push(id);
    const shared = chain.filter((id) => !own.has(id));
    expect(shared.length).toBeGreaterThan(0); // the WORKDIR step and the base image
    for (const id of shared) expect(await inspectImage(docker, id)).toBeDefined();
    const container = await docker.createContainer({ Image: second.id, Entrypoint: ['node', '-e', 'process.exit(0)'] });
    try {
      await container.start();
      expect((await container.wait()) as { StatusCode: number }).toMatchObject({ StatusCode: 0 });
    } finally {
      await container.remove({ force: true });
    }
  });
});
