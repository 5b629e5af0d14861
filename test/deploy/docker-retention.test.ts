/** Which images a docker target removes after an apply (dropped versions) and on destroy --remove-images (kept versions and the current one). */
import { describe, expect, it } from 'vitest';
import { imagesOfTarget, imagesToDrop } from '../../local/deploy/docker/retention.js';
import type { TargetState } from '../../local/deploy/types.js';

const version = (image: string, tag = `agentspec/pkg:${image}`): TargetState => ({
  target: 'main',
  kind: 'docker',
  ir_hash: `ir-${image}`,
  ids: { container: `c-${image}`, image: `sha256:${image}`, tag },
  fingerprints: {},
  applied_at: '2026-01-01T00:00:00.000Z',
});

describe('image retention', () => {
  it('drops the images of versions leaving the history', () => {
    const drop = imagesToDrop({ keep: [version('b')], drop: [version('a')] }, version('c'));
    expect(drop).toEqual([{ id: 'sha256:a', tag: 'agentspec/pkg:a' }]);
  });

  it('never drops an image a kept version or the new version runs', () => {
    const drop = imagesToDrop({ keep: [version('b')], drop: [version('b'), version('c'), version('d')] }, version('c'));
    expect(drop.map((i) => i.id)).toEqual(['sha256:d']);
  });

  it('drops nothing without a history (a first apply)', () => {
    expect(imagesToDrop(undefined, version('a'))).toEqual([]);
  });

  it('destroy takes the current image and every kept one, each once', () => {
    const images = imagesOfTarget({ keep: [version('a'), version('b'), version('a')], drop: [] }, version('c'));
    expect(images.map((i) => i.id)).toEqual(['sha256:c', 'sha256:a', 'sha256:b']);
  });
});
