/**
 * Which deployment a command acts on when no `--dir` is given: the working
 * directory's, or those found below it — the folders holding a deploy state
 * file, at most {@link DISCOVERY_DEPTH} levels down, skipping node_modules,
 * dist and dot-folders (.git, .agentspec …) and never following symbolic links.
 */
import { access, readdir } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { AgentSpecError, ErrorCode } from '../../shared/errors.js';
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

/** The directories an operation over every deployment looks at: `dir`, or the working directory, or the deployments found below it. */
export async function deploymentDirs(dir: string | undefined): Promise<string[]> {
  const here = resolve(dir ?? '.');
  if (dir !== undefined || (await hasState(here))) return [here];
  const found = await findDeployments(here);
  return found.length > 0 ? found : [here];
}

/**
 * The one deployment an operation acts on: `dir`, or the working directory when it holds a state. Otherwise
 * the deployments below it are looked for: a read-only command uses the only one found (and says so); one
 * that changes things (`changes`), or any when several are found, fails naming each with its `--dir`.
 */
export async function deploymentDir(dir: string | undefined, command: string, changes = false): Promise<string> {
  const here = resolve(dir ?? '.');
  if (dir !== undefined || (await hasState(here))) return here;
  const found = await findDeployments(here);
  if (found.length === 0) return here;
  if (found.length === 1 && !changes && found[0] !== undefined) return found[0];
  const list = found.map((d) => `agentspec ${command} --dir ${relative(here, d) || '.'}`).join('; ');
  const what = found.length === 1 ? 'A deployment was found' : `${found.length} deployments were found`;
  throw new AgentSpecError(ErrorCode.InvalidRequest, `Nothing is deployed from ${here}. ${what} below it; choose with --dir: ${list}.`, {
    details: { deployments: found },
  });
}
