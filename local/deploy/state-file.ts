/**
 * The local deploy state (`.agentspec.state.json`): per target what was
 * deployed — IR hash, ids, endpoint, fingerprints — never a secret value.
 * Writes are atomic (temporary file, fsync, rename) so a crash mid-write
 * leaves either the old or the new file, never a torn one. Reads check the
 * document against {@link STATE_SCHEMA}: a corrupt file is a `deploy_error`
 * naming the file and the bad field, so no operation acts on half a state.
 */
import { randomUUID } from 'node:crypto';
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { AgentSpecError, ErrorCode } from '../../shared/errors.js';
import type { TargetState } from './types.js';
import { fieldPath, prepareSchema, type PreparedSchema, type Violation } from '../../shared/ir/json-schema-validator.js';
import type { JsonSchema } from '../../shared/ir/types.js';
import { TARGETS } from '../../shared/lang/schema.js';

export const STATE_FILE_NAME = '.agentspec.state.json';
export const STATE_VERSION = 1;

export interface StateDocument {
  version: typeof STATE_VERSION;
  package?: string;
  targets: Record<string, TargetState>;
}

const str: JsonSchema = { type: 'string' };

/** One {@link TargetState}; the state file holds one per target, the history one per version. */
export const TARGET_STATE_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['target', 'kind', 'ir_hash', 'ids', 'fingerprints', 'applied_at'],
  properties: {
    target: str,
    kind: { enum: [...TARGETS] },
    ir_hash: str,
    endpoint: str,
    ids: { type: 'object', additionalProperties: { type: ['string', 'number'] } },
    fingerprints: { type: 'object', additionalProperties: str },
    applied_at: str,
    in_progress: { type: 'boolean' },
  },
  // the process target signals the pid it records: it must be one
  if: { properties: { kind: { const: 'process' } }, required: ['kind'] },
  then: { properties: { ids: { properties: { pid: { type: 'integer', minimum: 1 }, pid_start: str } } } },
};

/** The state document: {@link StateDocument}, with {@link TargetState} per target. Unknown properties are allowed (newer versions may add some). */
export const STATE_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['version', 'targets'],
  properties: {
    version: { const: STATE_VERSION },
    package: str,
    targets: { type: 'object', additionalProperties: TARGET_STATE_SCHEMA },
  },
};

const prepared = new Map<JsonSchema, PreparedSchema>();

/** The state file path for a package directory. */
export function statePath(dir: string): string {
  return join(dir, STATE_FILE_NAME);
}

/** Reads the state file; an absent file is an empty state. */
export async function readState(dir: string): Promise<StateDocument> {
  const state = await readCheckedJson<StateDocument>(statePath(dir), STATE_SCHEMA, 'deploy state');
  return state ?? { version: STATE_VERSION, targets: {} };
}

/**
 * Reads a JSON file of the deploy state folder and checks it against `schema`; undefined when the file is absent.
 * Anything else wrong is a `deploy_error` naming the file and each bad field.
 */
export async function readCheckedJson<T>(path: string, schema: JsonSchema, what: string): Promise<T | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new AgentSpecError(ErrorCode.DeployError, `Cannot read the ${what} ${basename(path)}.`, { cause: error });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw invalidFile(path, what, [`not JSON (${error instanceof Error ? error.message : String(error)})`]);
  }
  const issues = checkerFor(schema).issues(parsed);
  if (issues.length > 0)
    throw invalidFile(
      path,
      what,
      issues.map(sentence),
      issues.map((v) => ({ path: fieldPath(v.pointer), code: v.keyword, message: v.message })),
    );
  return parsed as T;
}

/** True when `value` is a well-formed {@link TargetState} (e.g. one a deployer hands back in an error's details). */
export function isTargetState(value: unknown): value is TargetState {
  return typeof value === 'object' && value !== null && checkerFor(TARGET_STATE_SCHEMA).issues(value).length === 0;
}

function checkerFor(schema: JsonSchema): PreparedSchema {
  let checker = prepared.get(schema);
  if (!checker) prepared.set(schema, (checker = prepareSchema(schema)));
  return checker;
}

function invalidFile(path: string, what: string, problems: string[], issues: Record<string, string>[] = []): AgentSpecError {
  const advice =
    what === 'deploy state'
      ? 'fix or remove it (removing it forgets what is deployed without stopping it)'
      : 'fix or remove it (removing it forgets the versions rollback can go back to)';
  return new AgentSpecError(ErrorCode.DeployError, `${path}: ${problems.join('; ')}. The ${what} is not valid; ${advice}.`, {
    details: { path, issues },
  });
}

/** A violation as `<field> <what is wrong>`, e.g. `targets.local.ids.pid must be an integer`. */
function sentence(violation: Violation): string {
  const field = fieldPath(violation.pointer) || 'the document';
  const { keyword, message } = violation;
  const quoted = (list: string) => list.replaceAll('"', '').split(', ');
  if (keyword === 'required') {
    const property = /property "(.*)"$/.exec(message)?.[1];
    if (property !== undefined) return `${field === 'the document' ? property : `${field}.${property}`} is missing`;
  }
  if (keyword === 'type') {
    const expected = /Expected (.*)$/.exec(message)?.[1];
    if (expected !== undefined)
      return `${field} must be ${quoted(expected)
        .map((t) => (t === 'object' || t === 'integer' ? `an ${t}` : `a ${t}`))
        .join(' or ')}`;
  }
  if (keyword === 'const' || keyword === 'enum') {
    const allowed = /does not match (?:any of )?(.*)$/.exec(message)?.[1];
    if (allowed !== undefined) return `${field} must be ${keyword === 'enum' ? `one of ${allowed}` : allowed}`;
  }
  if (keyword === 'minimum') {
    const bound = /less than (.*)$/.exec(message)?.[1];
    if (bound !== undefined) return `${field} must be at least ${bound}`;
  }
  return `${field}: ${message}`;
}

/** A fresh name beside `path` for a temporary file: unique across processes and within one. */
export function uniqueTempPath(path: string): string {
  return `${path}.${process.pid}.${randomUUID()}.tmp`;
}

/** Writes the state atomically: temporary file, fsync, rename. */
export async function writeState(dir: string, state: StateDocument): Promise<void> {
  await writeJsonAtomic(statePath(dir), state, 'deploy state');
}

/** Writes a JSON file (0600) atomically: temporary file, fsync, rename, then the directory entry. */
export async function writeJsonAtomic(path: string, value: unknown, what: string): Promise<void> {
  const temp = uniqueTempPath(path);
  const handle = await open(temp, 'w', 0o600);
  try {
    await handle.writeFile(`${JSON.stringify(value, null, 2)}\n`, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw new AgentSpecError(ErrorCode.DeployError, `Cannot write the ${what} ${basename(path)}.`, { cause: error });
  }
  await fsyncDir(dirname(path));
}

/** Reads, changes and writes one target's entry (undefined removes it). */
export async function updateTargetState(
  dir: string,
  target: string,
  change: (current: TargetState | undefined) => TargetState | undefined,
): Promise<StateDocument> {
  const state = await readState(dir);
  const next = change(state.targets[target]);
  if (next === undefined) delete state.targets[target];
  else state.targets[target] = next;
  await writeState(dir, state);
  return state;
}

async function fsyncDir(dir: string): Promise<void> {
  // The rename is durable only once the directory entry is; some filesystems refuse fsync on a directory.
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    /* best effort */
  }
}
