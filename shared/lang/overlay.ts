/**
 * Environment overlays, applied on the syntax tree before lowering: each
 * `agent "x" { attr value }` of the selected environment replaces (or adds)
 * that attribute in the named statement, its value coerced to the attribute's
 * type (`temperature "0.9"` becomes the number 0.9).
 */
import type { Body, Entry, FileNode, Value } from './ast.js';
import { diagnosticAt, type Diagnostic } from './diagnostic.js';
import { nameOf, type DocumentIndex } from './document.js';
import { OVERLAY_KINDS, specOf } from './schema.js';
import { didYouMean } from './suggest.js';

/** A new file with the environment's overlays applied; the input is not modified. */
export function applyEnvironment(node: FileNode, doc: DocumentIndex, env: string, file: string, out: Diagnostic[]): FileNode | undefined {
  const environment = doc.names('environment').get(env);
  if (!environment) {
    const known = [...doc.names('environment').keys()];
    out.push({
      severity: 'error',
      message: `Unknown environment "${env}".`,
      hint: didYouMean(env, known) ?? (known.length ? `declared environments: ${known.join(', ')}` : 'this package declares no environment'),
      file,
      line: 1,
      column: 1,
      code: 'reference',
    });
    return undefined;
  }
  const overrides = new Map<Entry, Entry[]>();
  for (const target of environment.entry.body?.entries ?? []) {
    const name = nameOf(target);
    const st = name === undefined ? undefined : doc.names(target.key).get(name);
    if (!st) {
      out.push(diagnosticAt(file, target.range, 'error', `Environment "${env}" overlays unknown ${target.key} "${String(name)}".`));
      continue;
    }
    const ctx = OVERLAY_KINDS[target.key]!;
    overrides.set(
      st.entry,
      (target.body?.entries ?? []).map((o) => entryWith(o, { args: o.args.map((v) => coerce(v, specOf(ctx, o.key)?.value)) })),
    );
  }
  const entries = node.entries.map((entry) => {
    const replacing = overrides.get(entry);
    if (!replacing || !entry.body) return entry;
    const keys = new Set(replacing.map((o) => o.key));
    const kept = entry.body.entries.filter((e) => !keys.has(e.key));
    return entryWith(entry, { body: bodyWith(entry.body, [...kept, ...replacing]) });
  });
  return { ...node, entries };
}

/** A copy of `entry` as a plain node, with `parts` replaced (the parsed tree is read-only views). */
function entryWith(entry: Entry, parts: Partial<Entry>): Entry {
  const copy: Entry = {
    key: entry.key,
    keyRange: entry.keyRange,
    keyQuoted: entry.keyQuoted,
    args: entry.args,
    range: entry.range,
    leading: entry.leading,
  };
  const { call, body, trailing } = entry;
  if (call) copy.call = call;
  if (body) copy.body = body;
  if (trailing) copy.trailing = trailing;
  return Object.assign(copy, parts);
}

function bodyWith(body: Body, entries: Entry[]): Body {
  return { entries, closing: body.closing, range: body.range };
}

function coerce(v: Value, type: string | undefined): Value {
  if (v.type !== 'string') return v;
  if (type === 'int' || type === 'number') {
    const n = Number(v.value);
    return Number.isFinite(n) ? { type: 'number', value: n, raw: v.value, range: v.range } : v;
  }
  if (type === 'bool' && (v.value === 'true' || v.value === 'false')) return { type: 'bool', value: v.value === 'true', range: v.range };
  return v;
}
