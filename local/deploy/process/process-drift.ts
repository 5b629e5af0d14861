/**
 * Drift of the process target: what differs between the recorded state and
 * what really runs — the recorded process gone, a zombie, its pid reused by
 * another process or unprovable; our process serving another IR than
 * recorded; the port served by something else; the log or IR file gone.
 */
import { access } from 'node:fs/promises';
import { relative } from 'node:path';
import type { DriftItem, TargetState } from '../types.js';
import type { ProcessFiles } from './process-files.js';
import { portAvailability } from '../port-availability.js';
import type { StartedProcess, Standing } from './process-control.js';

export interface DriftInput {
  state: TargetState;
  recorded: StartedProcess | undefined;
  standing: Standing;
  host: string;
  port: number;
  files: ProcessFiles;
  workdir: string;
}

/** What the recorded process is instead of running, for `actual`. */
const NOT_RUNNING: Record<Exclude<Standing, 'ours'>, (pid: number) => string> = {
  gone: () => 'missing',
  zombie: (pid) => `exited (pid ${pid} is a zombie)`,
  other: (pid) => `pid ${pid} now belongs to another process`,
  unproven: (pid) => `pid ${pid} cannot be proven to be the runtime apply started`,
};

export async function processDrift(input: DriftInput): Promise<DriftItem[]> {
  const { state, recorded, standing } = input;
  const drift: DriftItem[] = [];
  if (!recorded) {
    drift.push({ resource: 'process', expected: 'a recorded process', actual: 'missing' });
  } else if (standing === 'ours') {
    const served = state.endpoint === undefined ? undefined : await servedIrHash(state.endpoint);
    if (served !== state.ir_hash) drift.push({ resource: 'ir', expected: state.ir_hash, actual: served ?? 'no answer on /healthz' });
  } else {
    drift.push({ resource: 'process', expected: `pid ${recorded.pid} running`, actual: NOT_RUNNING[standing](recorded.pid) });
  }
  if (standing !== 'ours' && (await portAvailability(input.host, input.port)) === 'in-use')
    drift.push({ resource: 'port', expected: `${input.port} free or served by the recorded process`, actual: `${input.port} served by another process` });
  for (const [resource, file] of [
    ['log', input.files.log],
    ['ir_file', input.files.ir],
  ] as const) {
    if (!(await exists(file))) drift.push({ resource, expected: relative(input.workdir, file), actual: 'missing' });
  }
  return drift;
}

/** The IR hash `/healthz` at `endpoint` reports; undefined when nothing answers with one. */
export async function servedIrHash(endpoint: string, timeoutMs = 2000): Promise<string | undefined> {
  try {
    const response = await fetch(`${endpoint}/healthz`, { signal: AbortSignal.timeout(timeoutMs) });
    const body = (await response.json()) as { ir_hash?: unknown };
    return response.ok && typeof body.ir_hash === 'string' ? body.ir_hash : undefined;
  } catch {
    return undefined;
  }
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}
