/**
 * A recording Kubernetes API server for tests: a real HTTP server on
 * 127.0.0.1 answering the paths @kubernetes/client-node calls (discovery,
 * server-side-apply PATCH, reads, lists by label, deletes, pod logs, pod
 * watches). It keeps applied objects (a Secret's `stringData` stored as
 * base64 `data`, as the API server does), records every request, simulates
 * a rollout that completes after `rolloutPolls` reads of the Deployment, and
 * in `failing` mode reports a pod stuck in ImagePullBackOff. Each Deployment
 * has one pod `<name>-abc12` (with its template's labels); `addPod` adds one
 * and tells the pod watchers. A log request with `follow=true` gets the
 * first line, then stays open (chunked) for `logLine`. `kubeconfig()` writes
 * a kubeconfig pointing at it.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { parse } from 'yaml';

/** An image pinned by digest in a registry nobody reaches: apply runs it as written, builds and pushes nothing. */
export function pinnedImage(repository: string): string {
  return `registry.example.com/${repository}@sha256:${'d1'.repeat(32)}`;
}

export interface RecordedK8sRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  contentType?: string;
  body?: Record<string, unknown>;
}

type Obj = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; generation?: number; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
  stringData?: Record<string, string>;
  data?: Record<string, string>;
};

export interface K8sRecordingServer {
  url: string;
  requests: RecordedK8sRequest[];
  objects: Map<string, Obj>;
  /** reads of a Deployment before its rollout reports complete */
  rolloutPolls: number;
  /** report a pod in ImagePullBackOff and never complete */
  failing: boolean;
  /** adds a running pod (copying the labels of a Deployment's pods) and sends ADDED to the pod watchers */
  addPod(namespace: string, name: string, labels: Record<string, string>): void;
  /** writes a line to the followers of a pod's log */
  logLine(pod: string, line: string): void;
  /** resolves once `n` follow requests for pod logs are open */
  followers(n: number): Promise<void>;
  kubeconfig(): Promise<string>;
  close(): Promise<void>;
}

const RESOURCES: Record<string, { group: string; kind: string; namespaced: boolean }> = {
  namespaces: { group: 'v1', kind: 'Namespace', namespaced: false },
  configmaps: { group: 'v1', kind: 'ConfigMap', namespaced: true },
  secrets: { group: 'v1', kind: 'Secret', namespaced: true },
  services: { group: 'v1', kind: 'Service', namespaced: true },
  pods: { group: 'v1', kind: 'Pod', namespaced: true },
  serviceaccounts: { group: 'v1', kind: 'ServiceAccount', namespaced: true },
  networkpolicies: { group: 'networking.k8s.io/v1', kind: 'NetworkPolicy', namespaced: true },
  deployments: { group: 'apps/v1', kind: 'Deployment', namespaced: true },
  horizontalpodautoscalers: { group: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', namespaced: true },
};

function discovery(group: string): Record<string, unknown> {
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group,
    resources: Object.entries(RESOURCES)
      .filter(([, r]) => r.group === group)
      .map(([name, r]) => ({
        name,
        singularName: r.kind.toLowerCase(),
        namespaced: r.namespaced,
        kind: r.kind,
        verbs: ['get', 'list', 'patch', 'delete', 'create'],
      })),
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function matches(obj: Obj, selector: string | null): boolean {
  if (!selector) return true;
  return selector.split(',').every((pair) => {
    const [k, v] = pair.split('=');
    return obj.metadata.labels?.[k ?? ''] === v;
  });
}

/** Starts the server. */
export async function startK8sRecordingServer(): Promise<K8sRecordingServer> {
  const requests: RecordedK8sRequest[] = [];
  const objects = new Map<string, Obj>();
  const polls = new Map<string, number>();
  const state = { rolloutPolls: 2, failing: false };
  const extraPods: Obj[] = [];
  const podWatchers = new Set<{ res: ServerResponse; selector: string | null }>();
  const logFollowers = new Map<string, Set<ServerResponse>>();
  const followerWaits: { n: number; resolve: () => void }[] = [];
  const countFollowers = () => [...logFollowers.values()].reduce((n, set) => n + set.size, 0);
  const podStatus = () =>
    state.failing
      ? {
          phase: 'Pending',
          containerStatuses: [
            {
              name: 'runtime',
              ready: false,
              restartCount: 0,
              image: 'x',
              imageID: '',
              state: { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${pinnedImage('missing')}"` } },
            },
          ],
        }
      : { phase: 'Running', containerStatuses: [{ name: 'runtime', ready: true, restartCount: 0, image: 'x', imageID: '', state: { running: {} } }] };
  const podsIn = (ns = ''): Obj[] => [
    ...[...objects.values()]
      .filter((o) => o.kind === 'Deployment' && o.metadata.namespace === ns)
      .map((d) => ({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: `${d.metadata.name}-abc12`,
          namespace: ns,
          labels: ((d.spec?.template as { metadata?: { labels?: Record<string, string> } } | undefined)?.metadata?.labels ?? d.metadata.labels) as Record<
            string,
            string
          >,
        },
        status: podStatus(),
      })),
    ...extraPods.filter((p) => p.metadata.namespace === ns).map((p) => ({ ...p, status: podStatus() })),
  ];

  const send = (res: ServerResponse, status: number, body: unknown, type = 'application/json') => {
    res.writeHead(status, { 'content-type': type });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  };

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const text = await readBody(req);
      const contentType = req.headers['content-type'];
      let body: Record<string, unknown> | undefined;
      if (text) body = (contentType?.includes('yaml') ? parse(text) : JSON.parse(text)) as Record<string, unknown>;
      requests.push({
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        ...(contentType ? { contentType } : {}),
        ...(body ? { body } : {}),
      });

      const path = url.pathname;
      if (path === '/api/v1') return send(res, 200, discovery('v1'));
      const groupMatch = /^\/apis\/([^/]+\/[^/]+)$/.exec(path);
      if (groupMatch?.[1]) return send(res, 200, discovery(groupMatch[1]));

      // /api/v1/[namespaces/<ns>/]<resource>[/<name>[/log]]  or  /apis/<g>/<v>/...
      const m = /^\/(?:api\/v1|apis\/[^/]+\/[^/]+)\/(?:namespaces\/([^/]+)\/)?([a-z]+)(?:\/([^/]+))?(?:\/(log|status))?$/.exec(path);
      if (!m) return send(res, 404, { kind: 'Status', status: 'Failure', reason: 'NotFound', code: 404 });
      const [, ns, resource = '', name, sub] = m;
      const kind = RESOURCES[resource]?.kind ?? resource;
      const key = `${kind}/${ns ?? ''}/${name ?? ''}`;

      if (req.method === 'PATCH' && body) {
        const previous = objects.get(key);
        const obj = structuredClone(body) as unknown as Obj;
        if (kind === 'Secret' && obj.stringData) {
          obj.data = Object.fromEntries(Object.entries(obj.stringData).map(([k, v]) => [k, Buffer.from(v).toString('base64')]));
          delete obj.stringData;
        }
        if (kind === 'Deployment') {
          const changed = !previous || JSON.stringify(previous.spec) !== JSON.stringify(obj.spec);
          obj.metadata.generation = (previous?.metadata.generation ?? 0) + (changed ? 1 : 0);
          obj.status = previous?.status ?? {};
          polls.set(key, 0);
        }
        objects.set(key, obj);
        return send(res, 200, obj);
      }
      if (req.method === 'DELETE') {
        const existed = objects.delete(key);
        return send(res, existed ? 200 : 404, { kind: 'Status', status: existed ? 'Success' : 'Failure', code: existed ? 200 : 404 });
      }
      if (req.method === 'GET' && sub === 'log') {
        const first = `{"msg":"serving from ${name ?? ''}"}\n`;
        if (url.searchParams.get('follow') !== 'true') return send(res, 200, first, 'text/plain');
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write(first);
        const set = logFollowers.get(name ?? '') ?? new Set<ServerResponse>();
        set.add(res);
        logFollowers.set(name ?? '', set);
        res.on('close', () => set.delete(res));
        for (const wait of followerWaits.filter((w) => countFollowers() >= w.n)) {
          followerWaits.splice(followerWaits.indexOf(wait), 1);
          wait.resolve();
        }
        return;
      }
      if (req.method === 'GET' && resource === 'pods' && url.searchParams.get('watch') === 'true') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.flushHeaders();
        const watcher = { res, selector: url.searchParams.get('labelSelector') };
        podWatchers.add(watcher);
        res.on('close', () => podWatchers.delete(watcher));
        return;
      }
      if (req.method === 'GET' && name) {
        const obj = objects.get(key);
        if (!obj) return send(res, 404, { kind: 'Status', status: 'Failure', reason: 'NotFound', code: 404 });
        if (kind === 'Deployment') {
          const n = (polls.get(key) ?? 0) + 1;
          polls.set(key, n);
          const replicas = Number(obj.spec?.replicas ?? 1);
          const done = !state.failing && n > state.rolloutPolls;
          obj.status = {
            observedGeneration: done ? obj.metadata.generation : (obj.metadata.generation ?? 1) - 1,
            replicas,
            updatedReplicas: done ? replicas : 0,
            availableReplicas: done ? replicas : 0,
          };
        }
        return send(res, 200, obj);
      }
      if (req.method === 'GET' && resource === 'pods') {
        const items = podsIn(ns).filter((p) => matches(p, url.searchParams.get('labelSelector')));
        return send(res, 200, { apiVersion: 'v1', kind: 'PodList', metadata: { resourceVersion: '1' }, items });
      }
      if (req.method === 'GET') {
        const items = [...objects.values()].filter(
          (o) => o.kind === kind && (ns === undefined || o.metadata.namespace === ns) && matches(o, url.searchParams.get('labelSelector')),
        );
        return send(res, 200, { apiVersion: 'v1', kind: `${kind}List`, metadata: {}, items });
      }
      return send(res, 405, { kind: 'Status', status: 'Failure', code: 405 });
    })().catch((error: unknown) => send(res, 500, { kind: 'Status', status: 'Failure', message: String(error), code: 500 }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    requests,
    objects,
    get rolloutPolls() {
      return state.rolloutPolls;
    },
    set rolloutPolls(n: number) {
      state.rolloutPolls = n;
    },
    get failing() {
      return state.failing;
    },
    set failing(value: boolean) {
      state.failing = value;
    },
    addPod(namespace: string, name: string, labels: Record<string, string>) {
      const pod: Obj = { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, labels } };
      extraPods.push(pod);
      for (const watcher of podWatchers) {
        if (matches(pod, watcher.selector)) watcher.res.write(`${JSON.stringify({ type: 'ADDED', object: { ...pod, status: podStatus() } })}\n`);
      }
    },
    logLine(pod: string, line: string) {
      for (const res of logFollowers.get(pod) ?? []) res.write(`${line}\n`);
    },
    followers(n: number) {
      if (countFollowers() >= n) return Promise.resolve();
      return new Promise<void>((resolve) => followerWaits.push({ n, resolve }));
    },
    async kubeconfig() {
      const dir = await mkdtemp(join(tmpdir(), 'agentspec-kube-'));
      const file = join(dir, 'config');
      await writeFile(
        file,
        `apiVersion: v1\nkind: Config\nclusters:\n- name: test\n  cluster:\n    server: ${url}\n    insecure-skip-tls-verify: true\ncontexts:\n- name: test\n  context:\n    cluster: test\n    user: test\ncurrent-context: test\nusers:\n- name: test\n  user:\n    token: test-token\n`,
      );
      return file;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The stand-in of one suite: started before its tests, closed after them with its kubeconfig and the folders in `dirs`. */
export interface K8sSuite {
  api: K8sRecordingServer;
  kubeconfig: string;
  /** package folders the suite wrote, removed after it */
  dirs: string[];
}

/** Registers the suite's beforeAll/afterAll for the stand-in; the fields are set once beforeAll has run. */
export function useK8sRecordingServer(): K8sSuite {
  const suite = { dirs: [] as string[] } as unknown as K8sSuite;
  beforeAll(async () => {
    suite.api = await startK8sRecordingServer();
    suite.kubeconfig = await suite.api.kubeconfig();
  });
  afterAll(async () => {
    await suite.api?.close();
    for (const dir of [...suite.dirs, ...(suite.kubeconfig ? [dirname(suite.kubeconfig)] : [])]) await rm(dir, { recursive: true, force: true });
  });
  return suite;
}
