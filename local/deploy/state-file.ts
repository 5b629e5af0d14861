/**
 * The local deploy state (`.agentspec.state.json`): per target what was
 * deployed — IR hash, ids, endpoint, fingerprints — never a secret value.
 * Writes are atomic (temporary file, fsync, rename) so a crash mid-write
 * leaves either the old or the new file, never a torn one.
 */
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { AgentSpecError, ErrorCode } from '../../shared/errors.js';
import type { TargetState } from '../../shared/deploy/types.js';

export const STATE_FILE_NAME = '.agentspec.state.json';
export const STATE_VERSION = 1;

export interface StateDocument {
  version: typeof STATE_VERSION;
  package?: string;
  targets: Record<string, TargetState>;
}

/** The state file path for a package directory. */
export function statePath(dir: string): string {
  return join(dir, STATE_FILE_NAME);
}

/** Reads the state file; an absent file is an empty state. */
export async function readState(dir: string): Promise<StateDocument> {
  const path = statePath(dir);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: STATE_VERSION, targets: {} };
    throw new AgentSpecError(ErrorCode.DeployError, `Cannot read the deploy state ${STATE_FILE_NAME}.`, { cause: error });
  }
  try {
    const parsed = JSON.parse(text) as StateDocument;
    if (parsed.version !== STATE_VERSION || typeof parsed.targets !== 'object' || parsed.targets === null) {
      throw new Error(`unsupported state version ${String(parsed.version)}`);
    }
    return parsed;
  } catch (error) {
    throw new AgentSpecError(
      ErrorCode.DeployError,
      `The deploy state ${STATE_FILE_NAME} is not valid (${error instanceof Error ? error.message : String(error)}); fix or remove it.`,
      { cause: error },
    );
  }
}

/** Writes the state atomically: temporary file, fsync, rename. */
export async function writeState(dir: string, state: StateDocument): Promise<void> {
  const path = statePath(dir);
  const temp = `${path}.${process.pid}.${Date.now()}.tmp`;
  const handle = await open(temp, 'w', 0o600);
  try {
    await handle.writeFile(`${JSON.stringify(state, null, 2)}\n`, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw new AgentSpecError(ErrorCode.DeployError, `Cannot write the deploy state ${STATE_FILE_NAME}.`, { cause: error });
  }
  await fsyncDir(dir);
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
