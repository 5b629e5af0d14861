/**
 * An agent's model chain (`models [a, b, …]`): each model call goes to the
 * first model; when it fails with an error another model may not have — the
 * provider overloaded, a 5xx, a 429, no connection — after the provider
 * SDK's own retries, the call goes to the next model, whatever its provider.
 * An error the next model would repeat or that the deployer must fix (a
 * rejected request, a bad or missing key) ends the call as it is. A model that
 * failed is skipped for the rest of the invocation, so a run does not wait on
 * an overloaded model at every turn. A call whose stream already gave events
 * is never re-sent elsewhere (its text may have reached the client): the
 * agent's `on_error` policy handles it.
 *
 * Every call's usage is also charged to the agent's budget here, priced for
 * the model that really answered.
 */
import { ErrorCode, toAgentSpecError } from '../errors.js';
import { parseModel } from '../llm/model-string.js';
import type { ModelEvent, ModelProvider, ModelRequest, Usage } from '../llm/types.js';
import type { Budgets } from './budget.js';
import type { CompiledAgent, RunContext } from './run-context.js';

interface Link {
  /** as written in `models` */
  written: string;
  provider: string;
  /** id without provider prefix */
  model: string;
}

/** Codes another model may not share; `unavailable` (no API key) is the deployer's to fix. */
const FALL_THROUGH = new Set<string>([ErrorCode.UpstreamError, ErrorCode.RateLimited, ErrorCode.InternalError]);
const FALL_THROUGH_4XX = new Set([408, 409, 429]);

export class ModelChains {
  private readonly links = new Map<string, Link[]>();
  private readonly providers = new Map<string, ModelProvider>();
  /** per invocation (its turn counter, shared by every view of its context): the first link still worth trying */
  private readonly firstLink = new WeakMap<object, number>();

  constructor(
    private readonly providerFor: (provider: string) => ModelProvider,
    private readonly budgets: Budgets,
  ) {}

  /** The model (as written) that answered the invocation's last call; undefined when the agent has no chain. */
  answeredBy(ctx: RunContext): string | undefined {
    const links = this.linksOf(ctx.agent);
    return links.length > 1 ? links[this.firstLink.get(ctx.turns) ?? 0]?.written : undefined;
  }

  /** The first link still worth trying for the invocation. */
  linkOf(ctx: RunContext): number {
    return this.firstLink.get(ctx.turns) ?? 0;
  }

  /** Restores a resumed invocation's position (a link past the chain's end means its last model). */
  restore(ctx: RunContext, link: number): void {
    const last = this.linksOf(ctx.agent).length - 1;
    if (link > 0) this.firstLink.set(ctx.turns, Math.min(link, last));
  }

  /** Streams one model call down the agent's chain; `request.model` is replaced by each link's model. */
  async *stream(ctx: RunContext, request: ModelRequest): AsyncIterable<ModelEvent> {
    const links = this.linksOf(ctx.agent);
    for (let i = this.firstLink.get(ctx.turns) ?? 0; i < links.length; i++) {
      const link = links[i]!;
      // the first link is the agent's own model, whose provider the runtime chose
      const provider = i === 0 ? ctx.provider : this.provider(link.provider);
      let started = false;
      let usage: Usage | undefined;
      try {
        for await (const event of provider.stream(i === 0 ? request : { ...request, model: link.model }, ctx.signal)) {
          started = true;
          if (event.type === 'usage') usage = event.usage;
          yield event;
        }
        return;
      } catch (error) {
        if (started || i + 1 >= links.length || ctx.signal.aborted || !fallsThrough(error)) throw error;
        this.firstLink.set(ctx.turns, i + 1);
        ctx.host.observer.record({
          type: 'model_fallback',
          invocation_id: ctx.invocationId,
          agent: ctx.agent.name,
          from: link.written,
          to: links[i + 1]!.written,
          error_code: toAgentSpecError(error, ErrorCode.UpstreamError).code,
        });
      } finally {
        if (usage) await this.budgets.charge(ctx.agent.name, link.provider, link.model, usage);
      }
    }
  }

  private linksOf(agent: CompiledAgent): Link[] {
    let links = this.links.get(agent.name);
    if (!links) {
      const { models = [], model } = agent.attrs;
      // `model` is the chain's head (the lowering makes it models[0] when only `models` is written)
      const written = [model, ...models.filter((m, i) => i > 0 || m !== model)];
      links = written.map((w) => ({ written: w, ...parseModel(w, process.env) }));
      this.links.set(agent.name, links);
    }
    return links;
  }

  private provider(name: string): ModelProvider {
    let provider = this.providers.get(name);
    if (!provider) this.providers.set(name, (provider = this.providerFor(name)));
    return provider;
  }
}

function fallsThrough(error: unknown): boolean {
  const known = toAgentSpecError(error, ErrorCode.UpstreamError);
  if (!FALL_THROUGH.has(known.code)) return false;
  const status = known.details.status;
  return typeof status !== 'number' || status >= 500 || FALL_THROUGH_4XX.has(status);
}
