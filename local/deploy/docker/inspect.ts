/**
 * What the engine knows of a container or an image, or `undefined` when it
 * has none by that id or tag (removed by hand, never built): the deployers
 * treat a missing object as "not there yet", never as an error.
 */
import type Docker from 'dockerode';

export function inspectContainer(docker: Docker, id: string | undefined): Promise<Docker.ContainerInspectInfo | undefined> {
  if (!id) return Promise.resolve(undefined);
  return docker
    .getContainer(id)
    .inspect()
    .catch(() => undefined);
}

export function inspectImage(docker: Docker, tag: string): Promise<Docker.ImageInspectInfo | undefined> {
  return docker
    .getImage(tag)
    .inspect()
    .catch(() => undefined);
}
