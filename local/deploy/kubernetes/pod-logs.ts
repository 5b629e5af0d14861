/**
 * `logs --follow` on Kubernetes: every runtime pod's log stream at once
 * through client-node's `Log` API, each line prefixed with its pod's name.
 * The pods are listed at the start and watched afterwards, so replicas the
 * rollout or the autoscaler adds are followed as they appear. Ends when the
 * signal aborts (or, without one, when every stream and the watch ended).
 */
import { Writable } from 'node:stream';
import { CoreV1Api, Log, Watch, type KubeConfig, type V1Pod } from '@kubernetes/client-node';

export interface FollowOptions {
  namespace: string;
  labelSelector: string;
  container: string;
  sinceSeconds?: number;
  signal?: AbortSignal;
}

/** Lines `<pod> <line>` from every matching pod, as they come. */
export async function* followPodLogs(config: KubeConfig, options: FollowOptions): AsyncGenerator<string> {
  const queue: string[] = [];
  const controllers: AbortController[] = [];
  const followed = new Set<string>();
  let open = 0;
  let failure: unknown;
  let wake: (() => void) | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  const log = new Log(config);

  const follow = (pod: V1Pod) => {
    const name = pod.metadata?.name;
    if (!name || followed.has(name) || pod.status?.phase === 'Pending' || options.signal?.aborted) return;
    followed.add(name);
    open += 1;
    let partial = '';
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        const lines = (partial + chunk.toString('utf8')).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) if (line) queue.push(`${name} ${line}`);
        notify();
        done();
      },
      final(done) {
        if (partial) queue.push(`${name} ${partial}`);
        done();
      },
    });
    const ended = () => {
      open -= 1;
      // a restarted or replaced pod is followed again when the watch sees it
      followed.delete(name);
      notify();
    };
    sink.once('finish', ended);
    log
      .log(options.namespace, name, options.container, sink, {
        follow: true,
        ...(options.sinceSeconds !== undefined ? { sinceSeconds: options.sinceSeconds } : {}),
      })
      .then(
        (controller) => controllers.push(controller),
        () => {
          // a pod that went away between the list and the request: nothing to follow
          sink.destroy();
          ended();
        },
      );
  };

  const core = config.makeApiClient(CoreV1Api);
  const list = await core.listNamespacedPod({ namespace: options.namespace, labelSelector: options.labelSelector });
  for (const pod of list.items) follow(pod);
  let watching = true;
  const watch = await new Watch(config).watch(
    `/api/v1/namespaces/${options.namespace}/pods`,
    { labelSelector: options.labelSelector, resourceVersion: list.metadata?.resourceVersion },
    (phase, pod: V1Pod) => {
      if (phase === 'ADDED' || phase === 'MODIFIED') follow(pod);
    },
    (error: unknown) => {
      watching = false;
      if (error && !options.signal?.aborted) failure = error;
      notify();
    },
  );
  controllers.push(watch);
  const abort = () => notify();
  options.signal?.addEventListener('abort', abort, { once: true });
  try {
    for (;;) {
      while (queue.length > 0) yield queue.shift()!;
      if (options.signal?.aborted) return;
      if (failure) throw failure;
      if (!watching && open === 0 && !options.signal) return;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    options.signal?.removeEventListener('abort', abort);
    for (const controller of controllers) controller.abort();
  }
}
