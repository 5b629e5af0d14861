/**
 * Semantic checks: every reference resolves (with "did you mean …?"), pipeline
 * and type cycles, prompt variables, http placeholders, model providers, the
 * single default deploy and the rule that `on_error "fallback"` needs a
 * fallback agent.
 */
import type { Body, Entry, Value } from './ast.js';
import { isSupportedProvider, parseModel, SUPPORTED_PROVIDERS } from '../llm/model-string.js';
import { diagnosticAt, type Diagnostic } from './diagnostic.js';
import { attr, attrs, lastString, str, type DocumentIndex, type Statement } from './document.js';
import { didYouMean } from './suggest.js';
import { findCycles, type Edge } from './cycles.js';
import { placeholders } from './templates.js';
import type { Range } from './tokens.js';

export class ReferenceChecker {
  constructor(
    private readonly doc: DocumentIndex,
    private readonly file: string,
    private readonly out: Diagnostic[],
  ) {}

  private report(severity: Diagnostic['severity'], range: Range, message: string, hint?: string, code?: string): void {
    this.out.push(diagnosticAt(this.file, range, severity, message, hint, code));
  }

  /** Reports an unresolved reference to a `kind` named `name`. */
  private ref(kind: string, name: string, range: Range, from: string): void {
    if (this.doc.has(kind, name)) return;
    const hint = this.qualifiedHint(kind, name) ?? didYouMean(name, this.doc.names(kind).keys());
    this.report('error', range, `Unknown ${kind} "${name}" referenced by ${from}.`, hint ?? `declare ${kind} "${name}"`, 'reference');
  }

  /** A name an aliased import brings in only qualified: `format` when `kb.format` exists. */
  private qualifiedHint(kind: string, name: string): string | undefined {
    for (const [known, st] of this.doc.names(kind)) {
      if (st.origin && known.endsWith(`.${name}`)) return `it is imported under an alias: write "${known}"`;
    }
    return undefined;
  }

  checkAll(): void {
    for (const st of this.doc.ordered) {
      const body = st.entry.body;
      const from = `${st.kind} "${st.name}"`;
      switch (st.kind) {
        case 'prompt':
          this.checkPrompt(st);
          break;
        case 'type':
          this.checkFieldRefs(st.entry, from);
          break;
        case 'skill':
          this.checkSkill(st);
          break;
        case 'server': {
          const auth = attr(body, 'auth');
          if (auth && str(auth) !== undefined) this.ref('secret', str(auth)!, auth.args[0]!.range, from);
          const transport = str(attr(body, 'transport'));
          if (transport === 'stdio' && !attr(body, 'command'))
            this.report('error', st.entry.keyRange, `Server "${st.name}" uses the stdio transport and needs a command.`, undefined, 'required');
          if ((transport === 'sse' || transport === 'streamable-http') && !attr(body, 'url'))
            this.report('error', st.entry.keyRange, `Server "${st.name}" uses the ${transport} transport and needs a url.`, undefined, 'required');
          this.checkSecretMap(attr(body, 'secrets'), from);
          for (const e of attrs(body, 'exposes')) this.refLast(e, 'skill', from);
          break;
        }
        case 'client':
          for (const e of attrs(body, 'connects')) this.refLast(e, 'server', from);
          break;
        case 'agent':
          this.checkAgent(st);
          break;
        case 'pipeline':
          this.checkPipeline(st);
          break;
        case 'deploy':
          this.checkSecretMap(attr(body, 'secrets'), from);
          this.checkDeployAuth(st, from);
          break;
        case 'environment':
          for (const e of body?.entries ?? []) {
            const name = str(e);
            if (name !== undefined) this.ref(e.key, name, e.args[0]!.range, from);
          }
          break;
        case 'user':
          for (const e of attrs(body, 'agents'))
            for (const v of e.args[0]?.type === 'list' ? e.args[0].items : []) if (v.type === 'string') this.ref('agent', v.value, v.range, from);
          break;
        case 'policy':
          for (const e of body?.entries ?? []) {
            const subject = e.args[0]?.type === 'ident' ? e.args[0].value : '';
            if (e.key === 'require' && subject === 'secret' && (e.args[1]?.type === 'string' || e.args[1]?.type === 'ident'))
              this.ref('secret', e.args[1].value, e.args[1].range, from);
          }
          break;
      }
    }
    this.checkDefaults();
    this.checkTypeCycles();
  }

  private refLast(e: Entry, kind: string, from: string): void {
    const name = lastString(e);
    if (name !== undefined) this.ref(kind, name, e.args[e.args.length - 1]!.range, from);
  }

  /** `auth "iam"` is lambda's, `auth "none"` every other target's; `api_keys` names a secret and needs keys to be checked. */
  private checkDeployAuth(st: Statement, from: string): void {
    const body = st.entry.body;
    const target = st.entry.args[2]?.type === 'string' ? st.entry.args[2].value : 'process';
    const auth = attr(body, 'auth');
    const mode = str(auth);
    if (auth && mode === 'iam' && target !== 'lambda')
      this.report('error', auth.args[0]!.range, `auth "iam" is for lambda targets; deploy "${st.name}" targets ${target}.`, 'use "api-key" or "none"', 'enum');
    if (auth && mode === 'none' && target === 'lambda')
      this.report('error', auth.args[0]!.range, `auth "none" is not available on lambda (deploy "${st.name}").`, 'use "api-key" or "iam"', 'enum');
    const keys = attr(body, 'api_keys');
    const keysSecret = str(keys);
    this.checkTargetOnly(st, 'network', ['docker', 'docker-compose'], target);
    this.checkTargetOnly(st, 'registry_auth', ['kubernetes'], target);
    const registryAuth = attr(body, 'registry_auth');
    const registrySecret = str(registryAuth);
    if (registryAuth && registrySecret !== undefined && target === 'kubernetes') this.ref('secret', registrySecret, registryAuth.args[0]!.range, from);
    if (!keys || keysSecret === undefined) return;
    if (mode === 'none' || mode === 'iam')
      this.report(
        'error',
        keys.keyRange,
        `Deploy "${st.name}" names api_keys but its auth "${mode}" checks no API keys.`,
        'remove api_keys or use auth "api-key"',
        'conflict',
      );
    else if (target === 'lambda')
      this.report(
        'error',
        keys.keyRange,
        `api_keys is not used by lambda targets (deploy "${st.name}"): the stack keeps the keys in Secrets Manager.`,
        'remove api_keys',
        'conflict',
      );
    else this.ref('secret', keysSecret, keys.args[0]!.range, from);
  }

  /** An attribute only some targets read is an error elsewhere: it would be silently ignored. */
  private checkTargetOnly(st: Statement, name: string, targets: readonly string[], target: string): void {
    const entry = attr(st.entry.body, name);
    if (entry && !targets.includes(target))
      this.report(
        'error',
        entry.keyRange,
        `${name} is used by ${targets.join(' and ')} targets; deploy "${st.name}" targets ${target}.`,
        `remove ${name}`,
        'conflict',
      );
  }

  private checkSecretMap(map: Entry | undefined, from: string): void {
    for (const e of map?.body?.entries ?? []) {
      const name = str(e);
      if (name !== undefined) this.ref('secret', name, e.args[0]!.range, from);
    }
  }

  private checkPrompt(st: Statement): void {
    const content = attr(st.entry.body, 'content');
    const variables = attr(st.entry.body, 'variables');
    const text = str(content);
    if (text === undefined || !variables?.body) return;
    const used = new Set(placeholders(text));
    const declared = new Set(variables.body.entries.map((e) => e.key));
    for (const name of used) {
      if (!declared.has(name)) {
        this.report(
          'error',
          content!.args[0]!.range,
          `Prompt "${st.name}" uses {{${name}}}, which its variables block does not declare.`,
          didYouMean(name, declared) ?? `declare it: ${name} string required`,
          'variable',
        );
      }
    }
    for (const v of variables.body.entries) {
      if (!used.has(v.key)) this.report('warning', v.keyRange, `Variable "${v.key}" of prompt "${st.name}" is declared but never used.`, undefined, 'unused');
    }
  }

  private checkFieldRefs(owner: Entry, from: string): void {
    if (!owner.body) {
      if (owner.args[1]?.type === 'ident' && owner.args[1].value === 'list') this.checkTypeRef(owner.args[2], from);
      return;
    }
    for (const f of owner.body.entries) {
      const a = f.args;
      this.checkTypeRef(a[0]?.type === 'ident' && a[0].value === 'list' ? a[1] : a[0], from);
    }
  }

  private checkTypeRef(v: Value | undefined, from: string): void {
    if (v?.type === 'string') this.ref('type', v.value, v.range, from);
  }

  private checkSkill(st: Statement): void {
    const body = st.entry.body;
    const from = `skill "${st.name}"`;
    for (const block of ['input', 'output']) {
      const e = attr(body, block);
      if (e) this.checkFieldRefs(e, from);
    }
    const tool = attr(body, 'tool');
    const kind = tool?.args[0]?.type === 'ident' ? tool.args[0].value : undefined;
    if (!tool || !kind) return;
    if (kind === 'mcp') {
      const target = tool.args[1];
      if (target?.type === 'string' && target.value.includes('/')) {
        this.ref('server', target.value.slice(0, target.value.indexOf('/')), target.range, from);
      }
      return;
    }
    this.checkSecretMap(attr(tool.body, 'secrets'), from);
    if (kind !== 'http') return;
    const inputs = new Set((attr(body, 'input')?.body?.entries ?? []).map((e) => e.key));
    const templated: Value[] = [];
    for (const key of ['url', 'body_template']) {
      const v = attr(tool.body, key)?.args[0];
      if (v) templated.push(v);
    }
    for (const h of attr(tool.body, 'headers')?.body?.entries ?? []) if (h.args[0]) templated.push(h.args[0]);
    for (const v of templated) {
      if (v.type !== 'string') continue;
      for (const name of placeholders(v.value)) {
        if (name.startsWith('secret.')) {
          this.ref('secret', name.slice('secret.'.length), v.range, from);
        } else if (!inputs.has(name)) {
          this.report(
            'error',
            v.range,
            `{{${name}}} in the http tool of ${from} is not an input field.`,
            didYouMean(name, inputs) ?? `add "${name}" to the input block`,
            'placeholder',
          );
        }
      }
    }
  }

  private checkAgent(st: Statement): void {
    const body = st.entry.body;
    const from = `agent "${st.name}"`;
    let prompts = 0;
    for (const e of attrs(body, 'uses')) {
      const kind = e.args[0]?.type === 'ident' ? e.args[0].value : '';
      if (kind === 'prompt' && ++prompts > 1)
        this.report('error', e.range, `Agent "${st.name}" uses more than one prompt.`, 'an agent has at most one `uses prompt`', 'duplicate');
      if (kind === 'prompt' || kind === 'skill' || kind === 'guardrail') this.refLast(e, kind, from);
    }
    for (const e of attrs(body, 'model')) if (e.args[0]?.type === 'string') this.checkModel(e.args[0], st.name);
    for (const e of attrs(body, 'models'))
      for (const v of e.args[0]?.type === 'list' ? e.args[0].items : []) if (v.type === 'string') this.checkModel(v, st.name);
    const shorthand = attr(body, 'prompt')?.args[0];
    if (shorthand?.type === 'string' || shorthand?.type === 'ident') {
      if (prompts > 0) this.report('error', shorthand.range, `Agent "${st.name}" uses more than one prompt.`, 'an agent has at most one prompt', 'duplicate');
      this.ref('prompt', shorthand.value, shorthand.range, from);
    }
    const skills = new Set(attrs(body, 'uses').flatMap((e) => (e.args[0]?.type === 'ident' && e.args[0].value === 'skill' ? [lastString(e) ?? ''] : [])));
    const flow = attr(body, 'on');
    if (flow?.body) this.checkFlowRefs(flow.body, st.name, skills, from);
    const onError = attr(body, 'on_error');
    const fallback = attr(body, 'fallback');
    if (str(onError) === 'fallback' && !fallback) {
      this.report('error', onError!.range, `Agent "${st.name}" sets on_error "fallback" but names no fallback agent.`, 'add: fallback "<agent>"', 'required');
    }
    if (fallback && str(fallback) !== undefined) {
      const name = str(fallback)!;
      if (name === st.name) this.report('error', fallback.args[0]!.range, `Agent "${st.name}" cannot be its own fallback.`);
      else this.ref('agent', name, fallback.args[0]!.range, from);
    }
    for (const e of attrs(body, 'delegate')) {
      const target = e.args[2];
      if (target?.type === 'string') this.ref('agent', target.value, target.range, from);
    }
    for (const e of attrs(body, 'connects')) this.refLast(e, 'client', from);
  }

  /** A model id: its provider must be one this runtime calls. */
  private checkModel(v: Value & { type: 'string' }, agent: string): void {
    const { provider, model } = parseModel(v.value);
    if (!isSupportedProvider(provider)) {
      this.report(
        'error',
        v.range,
        `Model provider "${provider}" is not supported by this runtime (supported: ${SUPPORTED_PROVIDERS.join(', ')}).`,
        didYouMean(provider, SUPPORTED_PROVIDERS) ?? 'use "anthropic/…", "openai/…" or "ollama/…", or a Claude or GPT model id',
        'provider',
      );
    } else if (model.trim() === '') {
      this.report('error', v.range, `Agent "${agent}" has an empty model id.`);
    }
  }

  /** `use skill` names a skill the agent uses; `delegate to` an agent of the package. */
  private checkFlowRefs(body: Body, agent: string, skills: Set<string>, from: string): void {
    for (const e of body.entries) {
      const target = e.args[1];
      if (e.key === 'use' && (target?.type === 'ident' || target?.type === 'string')) {
        if (!this.doc.has('skill', target.value)) this.ref('skill', target.value, target.range, from);
        else if (!skills.has(target.value)) {
          this.report(
            'error',
            target.range,
            `Agent "${agent}" runs skill "${target.value}" in on input but does not use it.`,
            `add: uses skill "${target.value}"`,
            'reference',
          );
        }
      }
      if (e.key === 'delegate' && (target?.type === 'ident' || target?.type === 'string')) {
        if (target.value === agent) this.report('error', target.range, `Agent "${agent}" cannot delegate to itself.`);
        else this.ref('agent', target.value, target.range, from);
      }
      if (e.body && e.key !== 'use') this.checkFlowRefs(e.body, agent, skills, from);
    }
  }

  private checkPipeline(st: Statement): void {
    const steps = new Map<string, { entry: Entry; deps: { name: string; range: Range }[] }>();
    const from = `pipeline "${st.name}"`;
    for (const e of attrs(st.entry.body, 'step')) {
      const name = str(e);
      if (name === undefined) continue;
      if (steps.has(name)) {
        this.report('error', e.args[0]!.range, `Duplicate step "${name}" in ${from}.`, undefined, 'duplicate');
        continue;
      }
      const agent = attr(e.body, 'agent');
      if (agent && str(agent) !== undefined) this.ref('agent', str(agent)!, agent.args[0]!.range, `step "${name}" of ${from}`);
      const dependsOn = attr(e.body, 'depends_on')?.args[0];
      const deps = dependsOn?.type === 'list' ? dependsOn.items.flatMap((i) => (i.type === 'string' ? [{ name: i.value, range: i.range }] : [])) : [];
      steps.set(name, { entry: e, deps });
    }
    if (steps.size === 0) this.report('error', st.entry.keyRange, `Pipeline "${st.name}" has no steps.`, 'add: step "<name>" { agent "<agent>" }', 'required');
    for (const [name, step] of steps) {
      for (const d of step.deps) {
        if (!steps.has(d.name))
          this.report('error', d.range, `Step "${name}" of ${from} depends on unknown step "${d.name}".`, didYouMean(d.name, steps.keys()), 'reference');
      }
    }
    const graph = new Map<string, Edge<Range>[]>();
    for (const [name, step] of steps)
      graph.set(
        name,
        step.deps.map((d) => ({ to: d.name, edge: d.range })),
      );
    findCycles(graph, (cycle, range) => {
      this.report('error', range, `Steps of ${from} form a cycle: ${cycle.join(' → ')}.`, 'remove one of these depends_on entries', 'cycle');
    });
  }

  private checkDefaults(): void {
    let first: Statement | undefined;
    for (const st of this.doc.names('deploy').values()) {
      const d = attr(st.entry.body, 'default');
      if (d?.args[0]?.type !== 'bool' || !d.args[0].value) continue;
      if (first) {
        this.report(
          'error',
          d.range,
          `Deploy "${st.name}" is marked default, but deploy "${first.name}" already is.`,
          'at most one deploy block has default true',
          'default',
        );
      } else first = st;
    }
  }

  private checkTypeCycles(): void {
    const graph = new Map<string, Edge<Range>[]>();
    for (const st of this.doc.names('type').values()) {
      // An imported type is checked in its own file (and cannot refer back to this one).
      if (st.origin) continue;
      const edges: Edge<Range>[] = [];
      for (const f of st.entry.body?.entries ?? []) {
        const a = f.args;
        const required = a.some((v) => v.type === 'ident' && v.value === 'required');
        if (required && a[0]?.type === 'string') edges.push({ to: a[0].value, edge: a[0].range });
      }
      graph.set(st.name, edges);
    }
    findCycles(graph, (cycle, range) => {
      this.report('error', range, `Types form a cycle through required fields: ${cycle.join(' → ')}.`, 'make one of these fields optional', 'cycle');
    });
  }
}
