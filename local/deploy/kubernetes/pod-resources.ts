/**
 * The runtime container's `resources`. An HPA's utilization target is a
 * share of the pods' *requests*: without a request for its metric it never
 * scales. So with `autoscale` the container always requests CPU and memory —
 * the block's `resources`, else the defaults below — and `autoscaleNotes`
 * says which metric had no request and got a default. Without `autoscale`,
 * `resources` set both requests and limits, as before.
 */
import type { IRDeploy } from '../../../shared/ir/types.js';

export const DEFAULT_REQUESTS = { cpu: '250m', memory: '256Mi' } as const;

type Amounts = { cpu?: string; memory?: string };

/** The container's requests and limits, or undefined for none. */
export function podResources(deploy: IRDeploy): { requests: Amounts; limits?: Amounts } | undefined {
  const given = deploy.attributes.resources;
  const amounts: Amounts = { ...(given?.cpu ? { cpu: given.cpu } : {}), ...(given?.memory ? { memory: given.memory } : {}) };
  const limits = Object.keys(amounts).length > 0 ? { limits: amounts } : {};
  if (deploy.attributes.autoscale) return { requests: { ...DEFAULT_REQUESTS, ...amounts }, ...limits };
  return given ? { requests: amounts, limits: amounts } : undefined;
}

/** The metric the HPA scales on: `memory`, else `cpu`. */
export function autoscaleMetric(deploy: IRDeploy): 'cpu' | 'memory' {
  return deploy.attributes.autoscale?.metric === 'memory' ? 'memory' : 'cpu';
}

/** What `plan` says about the HPA: the metric without a request of its own, and a metric it does not know. */
export function autoscaleNotes(deploy: IRDeploy): string[] {
  const autoscale = deploy.attributes.autoscale;
  if (!autoscale) return [];
  const notes: string[] = [];
  if (autoscale.metric !== 'cpu' && autoscale.metric !== 'memory') notes.push(`metric "${autoscale.metric}" is not cpu or memory: scaling on cpu`);
  const metric = autoscaleMetric(deploy);
  if (!deploy.attributes.resources?.[metric])
    notes.push(`warning: no ${metric} request in resources for the ${metric} target; requesting ${DEFAULT_REQUESTS[metric]} (set resources { ${metric} "…" })`);
  return notes;
}
