/**
 * Names across files. A file's statements are lowered with the names that
 * file uses; a file reached through `import … as kb` lives under the prefix
 * `kb.` (nested aliases add up: `kb.util.`), so its resources and every name
 * they reference get that prefix in the merged IR. Also rewrites the type
 * references inside a type lifted into an importer's scope, so the importer's
 * type compiler resolves them to the declaring file's types.
 */
import type { Entry, Value } from './ast.js';
import { PLACEHOLDER } from '../ir/placeholders.js';
import type { IRResource, IRStatement } from '../ir/types.js';

type Attributes = Record<string, unknown>;
const isRecord = (v: unknown): v is Attributes => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A copy of `resource` with its name and references prefixed. `isSecret`
 * tells whether a name is a secret in the declaring file's scope (a user's
 * `key` names a secret or an environment variable).
 */
export function qualifyResource(resource: IRResource, prefix: string, isSecret: (name: string) => boolean): IRResource {
  const q = (name: string) => `${prefix}${name}`;
  const list = (v: unknown) => (Array.isArray(v) ? v.map((x) => (typeof x === 'string' ? q(x) : x)) : v);
  const values = (v: unknown) => (isRecord(v) ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, typeof x === 'string' ? q(x) : x])) : v);
  const a: Attributes = { ...(resource.attributes as Attributes) };
  switch (resource.kind) {
    case 'Agent':
      if (typeof a.prompt === 'string') a.prompt = q(a.prompt);
      if (typeof a.fallback === 'string') a.fallback = q(a.fallback);
      a.skills = list(a.skills);
      a.clients = list(a.clients);
      if (a.guardrails !== undefined) a.guardrails = list(a.guardrails);
      if (Array.isArray(a.delegates)) a.delegates = (a.delegates as Attributes[]).map((d) => ({ ...d, agent: q(String(d.agent)) }));
      if (Array.isArray(a.on_input)) a.on_input = qualifyFlow(a.on_input as IRStatement[], q);
      break;
    case 'Skill': {
      const tool = { ...(a.tool as Attributes) };
      if (tool.type === 'mcp') tool.server = q(String(tool.server));
      if (tool.secrets !== undefined) tool.secrets = values(tool.secrets);
      if (tool.type === 'http') {
        const secretRefs = (text: unknown) =>
          typeof text === 'string'
            ? text.replace(PLACEHOLDER, (whole, name: string) => (name.startsWith('secret.') ? `{{secret.${q(name.slice(7))}}}` : whole))
            : text;
        tool.url = secretRefs(tool.url);
        if (tool.body_template !== undefined) tool.body_template = secretRefs(tool.body_template);
        if (isRecord(tool.headers)) tool.headers = Object.fromEntries(Object.entries(tool.headers).map(([k, v]) => [k, secretRefs(v)]));
      }
      a.tool = tool;
      break;
    }
    case 'Server':
      a.exposes = list(a.exposes);
      if (typeof a.auth === 'string') a.auth = q(a.auth);
      break;
    case 'Client':
      a.servers = list(a.servers);
      break;
    case 'Pipeline':
      a.steps = (a.steps as Attributes[]).map((s) => ({ ...s, agent: q(String(s.agent)) }));
      break;
    case 'User':
      a.agents = list(a.agents);
      if (typeof a.key === 'string' && isSecret(a.key)) a.key = q(a.key);
      break;
    case 'Policy':
      a.rules = (a.rules as Attributes[]).map((r) => (r.action === 'require' && r.subject === 'secret' ? { ...r, value: q(String(r.value)) } : r));
      break;
    default:
      // Prompts, types, secrets, guardrails and plugins name nothing; deploy and environment blocks count only in the entry file.
      break;
  }
  return { ...resource, name: q(resource.name), attributes: a } as IRResource;
}

function qualifyFlow(statements: IRStatement[], q: (name: string) => string): IRStatement[] {
  return statements.map((s): IRStatement => {
    switch (s.kind) {
      case 'use_skill':
        return { ...s, skill: q(s.skill) };
      case 'delegate':
        return { ...s, agent: q(s.agent) };
      case 'if':
        return {
          ...s,
          branches: s.branches.map((b) => ({ ...b, body: qualifyFlow(b.body, q) })),
          ...(s.else ? { else: qualifyFlow(s.else, q) } : {}),
        };
      case 'for_each':
        return { ...s, body: qualifyFlow(s.body, q) };
      default:
        return s;
    }
  });
}

/**
 * A type statement as an importer sees it under `prefix`: its references to
 * other types (`field "Address"`, `list "Item"`) prefixed too. Other
 * statements are returned as they are: only types are followed by name when
 * the importer lowers its own statements.
 */
export function liftEntry(kind: string, entry: Entry, prefix: string): Entry {
  if (kind !== 'type' || prefix === '') return entry;
  const ref = (v: Value | undefined): Value | undefined => (v?.type === 'string' ? { type: 'string', value: `${prefix}${v.value}`, range: v.range } : v);
  const isList = (v: Value | undefined) => v?.type === 'ident' && v.value === 'list';
  const field = (f: Entry): Entry => {
    const args = [...f.args];
    const at = isList(args[0]) ? 1 : 0;
    const lifted = ref(args[at]);
    if (lifted) args[at] = lifted;
    return copyEntry(f, { args });
  };
  if (entry.body) return copyEntry(entry, { body: { entries: entry.body.entries.map(field), closing: entry.body.closing, range: entry.body.range } });
  if (isList(entry.args[1])) {
    const args = [...entry.args];
    const lifted = ref(args[2]);
    if (lifted) args[2] = lifted;
    return copyEntry(entry, { args });
  }
  return entry;
}

/** A plain copy of a (read-only view) entry with `parts` replaced. */
function copyEntry(entry: Entry, parts: Partial<Entry>): Entry {
  const copy: Entry = { key: entry.key, keyRange: entry.keyRange, keyQuoted: entry.keyQuoted, args: entry.args, range: entry.range, leading: entry.leading };
  if (entry.call) copy.call = entry.call;
  if (entry.body) copy.body = entry.body;
  if (entry.trailing) copy.trailing = entry.trailing;
  return Object.assign(copy, parts);
}
