/**
 * Finds deployments below a directory: the folders holding a deploy state
 * file, at most {@link DISCOVERY_DEPTH} levels down, skipping node_modules,
 * dist and dot-folders (.git, .agentspec …) and never following symbolic links.
 */
import { access, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { STATE_FILE_NAME, statePath } from './state-file.js';

export const DISCOVERY_DEPTH = 4;
const SKIPPED = new Set(['node_modules', 'dist']);

/** True when `dir` itself holds a state file. */
export async function hasState(dir: string): Promise<boolean> {
  return access(statePath(dir)).then(
    () => true,
    () => false,
  );
}

/** The directories below `root` (not `root` itself) that hold a state file, sorted. */
export async function findDeployments(root: string, depth = DISCOVERY_DEPTH): Promise<string[]> {
  const found: string[] = [];
  let level = [root];
  for (let d = 1; d <= depth && level.length > 0; d++) {
    const next: string[] = [];
    for (const dir of level) {
      const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
      for (const entry of entries) {
        if (!entry.isDirectory() || entry.name.startsWith('.') || SKIPPED.has(entry.name)) continue;
        const child = join(dir, entry.name);
        const names = await readdir(child).catch((): string[] => []);
        if (names.includes(STATE_FILE_NAME)) found.push(child);
        next.push(child);
      }
    }
    level = next;
  }
  return found.sort();
}
