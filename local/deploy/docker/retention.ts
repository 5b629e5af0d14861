/**
 * Which images a target may remove: after a healthy apply, those of the
 * versions leaving the history that neither a kept version nor the new one
 * runs; on `destroy --remove-images`, those of every retained version and the
 * current one. Removal is by image id and without force, so an image a
 * container (of any target) still uses stays; its builder layers go with it
 * as far as they are its own (image-layers.ts), never a shared one.
 */
import type Docker from 'dockerode';
import type { RetainedVersions, TargetState } from '../types.js';
import { inspectImage } from './inspect.js';
import { ownLayers, removeOwnLayers } from './image-layers.js';

/**
 * Removing an image does not prune its parents by itself: shared builder layers may be the parents of an image
 * another target (or another checkout) is building at that moment, whose build then fails with "unknown parent
 * image ID". The image's own layers are removed explicitly (removeOwnLayers).
 */
export const KEEP_PARENTS = { noprune: true };

export interface RecordedImage {
  id: string;
  tag?: string;
}

function imageOf(state: TargetState): RecordedImage | undefined {
  const id = state.ids.image;
  if (id === undefined || id === '') return undefined;
  return { id: String(id), ...(state.ids.tag === undefined ? {} : { tag: String(state.ids.tag) }) };
}

/** Images of `drop` that no kept version and not the new state uses (each once). */
export function imagesToDrop(versions: RetainedVersions | undefined, current: TargetState): RecordedImage[] {
  if (!versions) return [];
  const used = new Set([current, ...versions.keep].map((s) => imageOf(s)?.id).filter((id): id is string => id !== undefined));
  const out = new Map<string, RecordedImage>();
  for (const state of versions.drop) {
    const image = imageOf(state);
    if (image && !used.has(image.id) && !out.has(image.id)) out.set(image.id, image);
  }
  return [...out.values()];
}

/** Every image a target's retained versions and current state use (destroy --remove-images). */
export function imagesOfTarget(versions: RetainedVersions | undefined, current: TargetState | undefined): RecordedImage[] {
  const out = new Map<string, RecordedImage>();
  for (const state of [...(current ? [current] : []), ...(versions?.keep ?? [])]) {
    const image = imageOf(state);
    if (image && !out.has(image.id)) out.set(image.id, image);
  }
  return [...out.values()];
}

/** Removes one recorded image; false when it stays (in use, or tagged elsewhere too: then only our tag goes). */
export async function removeImage(docker: Docker, image: RecordedImage): Promise<boolean> {
  const info = await inspectImage(docker, image.id);
  if (!info) return true;
  const layers = await ownLayers(docker, image.id);
  const removed = await docker
    .getImage(image.id)
    .remove(KEEP_PARENTS)
    .then(() => true)
    .catch(() => false);
  if (removed) {
    await removeOwnLayers(docker, layers);
    return true;
  }
  // referenced by several tags: drop ours when it still points at this image, leave the others
  if (image.tag && (info.RepoTags ?? []).includes(image.tag) && (info.RepoTags ?? []).length > 1) {
    await docker
      .getImage(image.tag)
      .remove(KEEP_PARENTS)
      .catch(() => undefined);
  }
  return false;
}
