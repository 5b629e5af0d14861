/**
 * The version history of one deployed target (`.agentspec/<target>.history.json`)
 * and the IR of each kept version (`.agentspec/<target>.v<n>.ir.json`): what
 * `history` lists and `rollback` goes back to. Version numbers count up and are
 * never reused while the history exists; only the last {@link ROLLBACK_DEPTH}
 * are kept. Records hold target states, which never carry a secret value.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AgentSpecError, ErrorCode } from '../../shared/errors.js';
import type { IRDocument, JsonSchema } from '../../shared/ir/types.js';
import { readCheckedJson, TARGET_STATE_SCHEMA, writeJsonAtomic } from './state-file.js';
import type { RetainedVersions, TargetState } from './types.js';

/** How many versions of a target are kept (the current one included). */
export const ROLLBACK_DEPTH = 5;
export const HISTORY_VERSION = 1;

export interface VersionRecord {
  version: number;
  ir_hash: string;
  applied_at: string;
  state: TargetState;
  /** set when this version was made by rolling back to that one */
  rollback_of?: number;
}

export interface HistoryDocument {
  version: typeof HISTORY_VERSION;
  target: string;
  /** oldest first; the last one is the current version */
  versions: VersionRecord[];
}

const HISTORY_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['version', 'target', 'versions'],
  properties: {
    version: { const: HISTORY_VERSION },
    target: { type: 'string' },
    versions: {
      type: 'array',
      items: {
        type: 'object',
        required: ['version', 'ir_hash', 'applied_at', 'state'],
        properties: {
          version: { type: 'integer', minimum: 1 },
          ir_hash: { type: 'string' },
          applied_at: { type: 'string' },
          state: TARGET_STATE_SCHEMA,
          rollback_of: { type: 'integer', minimum: 1 },
        },
      },
    },
  },
};

/** The folder beside the state file holding applied IRs and histories. */
export function stateFolder(dir: string): string {
  return join(dir, '.agentspec');
}

export function historyPath(dir: string, target: string): string {
  return join(stateFolder(dir), `${target}.history.json`);
}

export function versionIrPath(dir: string, target: string, version: number): string {
  return join(stateFolder(dir), `${target}.v${version}.ir.json`);
}

/** The target's versions, oldest first; empty when it has no history (yet). A corrupt file is a located `deploy_error`. */
export async function readHistory(dir: string, target: string): Promise<VersionRecord[]> {
  const doc = await readCheckedJson<HistoryDocument>(historyPath(dir, target), HISTORY_SCHEMA, 'deploy history');
  return doc?.versions ?? [];
}

export async function writeHistory(dir: string, target: string, versions: VersionRecord[]): Promise<void> {
  await mkdir(stateFolder(dir), { recursive: true, mode: 0o700 });
  const doc: HistoryDocument = { version: HISTORY_VERSION, target, versions };
  await writeJsonAtomic(historyPath(dir, target), doc, 'deploy history');
}

export async function saveVersionIr(dir: string, target: string, version: number, ir: IRDocument): Promise<void> {
  await mkdir(stateFolder(dir), { recursive: true, mode: 0o700 });
  await writeFile(versionIrPath(dir, target, version), JSON.stringify(ir), { mode: 0o600 });
}

/** The IR recorded for a version; a missing or unreadable file is a `deploy_error` naming it. */
export async function loadVersionIr(dir: string, target: string, version: number): Promise<IRDocument> {
  const path = versionIrPath(dir, target, version);
  try {
    const ir = JSON.parse(await readFile(path, 'utf8')) as IRDocument;
    if (typeof ir !== 'object' || ir === null || typeof ir.hash !== 'string') throw new Error('not an IR document');
    return ir;
  } catch (error) {
    throw new AgentSpecError(
      ErrorCode.DeployError,
      `The package of version ${version} of "${target}" is missing or unreadable (${path}); it cannot be rolled back to.`,
      {
        cause: error,
      },
    );
  }
}

/** Removes a target's history and every version IR it names. */
export async function removeHistory(dir: string, target: string, versions: VersionRecord[]): Promise<void> {
  await Promise.all(versions.map((v) => rm(versionIrPath(dir, target, v.version), { force: true })));
  await rm(historyPath(dir, target), { force: true });
}

/** What an operation about to record a new version does to the history. */
export interface NextVersion {
  /** the number the new version gets */
  version: number;
  /** the records that stay beside the new one, oldest first */
  kept: VersionRecord[];
  /** the records leaving the history */
  dropped: VersionRecord[];
}

/**
 * The history after one more version: a new number, and the oldest records
 * falling out beyond {@link ROLLBACK_DEPTH}. `replaceCurrent` (a repair that
 * applies the current version's IR again) takes the current record's place
 * under its number instead, so repairs do not push rollback targets out.
 */
export function nextVersion(versions: VersionRecord[], replaceCurrent = false): NextVersion {
  const current = versions.at(-1);
  if (replaceCurrent && current) {
    const kept = versions.slice(0, -1);
    return { version: current.version, kept, dropped: [current] };
  }
  const version = (current?.version ?? 0) + 1;
  const cut = Math.max(0, versions.length - (ROLLBACK_DEPTH - 1));
  return { version, kept: versions.slice(cut), dropped: versions.slice(0, cut) };
}

/** The `ctx.versions` of an apply or rollback recording `next`: states newest first. */
export function retained(next: NextVersion): RetainedVersions {
  return { keep: next.kept.map((v) => v.state).reverse(), drop: next.dropped.map((v) => v.state).reverse() };
}

/** A target state without the in-flight flag, as the history records it. */
export function settled(state: TargetState): TargetState {
  const { in_progress: _flag, ...clean } = state;
  return clean;
}
