/**
 * The builder's intermediate images that belong to one runtime image alone.
 * The classic builder leaves one untagged parent image per Dockerfile step;
 * removing an image without its parents (so that layers a concurrent build
 * may be reusing stay) would leave these behind as dangling images. The steps
 * from the `COPY … in /app/` of the runtime and IR onwards are made from the
 * package version's own content, so only a build of that very version reuses
 * them: they go with the image. The shared steps before (`FROM`, `RUN`,
 * `WORKDIR`) and anything tagged stay.
 */
import type Docker from 'dockerode';
import { inspectImage } from './inspect.js';

/** Does this builder step make shared content (cached across packages), rather than the version's own? */
function sharedStep(command: string): boolean {
  return !command.includes('#(nop)') || /#\(nop\)\s*WORKDIR\b/.test(command);
}

/** The parent chain of `imageId` that only it uses, nearest first; read before the image is removed. */
export async function ownLayers(docker: Docker, imageId: string): Promise<string[]> {
  const out: string[] = [];
  let parent = (await inspectImage(docker, imageId))?.Parent;
  while (parent) {
    const info = await inspectImage(docker, parent);
    if (!info || (info.RepoTags ?? []).length > 0) break;
    const command = (info.ContainerConfig?.Cmd ?? []).join(' ');
    if (sharedStep(command)) break;
    out.push(info.Id);
    parent = info.Parent;
  }
  return out;
}

/**
 * Removes the layers `ownLayers` listed, nearest first, each without pruning further; stops at the first one
 * that stays (another image is built on it), since every layer below it is then in use too.
 */
export async function removeOwnLayers(docker: Docker, layers: string[]): Promise<void> {
  for (const id of layers) {
    const removed = await docker
      .getImage(id)
      .remove({ noprune: true })
      .then(() => true)
      .catch(() => false);
    if (!removed) return;
  }
}
