/**
 * The `process` target: the runtime as a detached local process. Apply
 * first checks everything that can fail — secrets, API keys, the port (free,
 * or held by this target's own process), the IR file — and only then stops
 * the running version (SIGTERM: it drains in-flight requests; SIGKILL after
 * the grace period; the new one needs the same port) and starts the new one
 * from an IR written beside the running one's, with the port, env, secrets
 * and keys in its environment (never on its command line or in a file). The
 * new version counts once `/healthz` answers with its IR hash; then its IR
 * replaces the old. When it fails, it is stopped and the previous version is
 * restarted with the environment it had, and apply throws with the new
 * version's last log lines (`details.previous_restored`, and
 * `details.restored_state`: the previous version's state with its new pid).
 * Unchanged → no restart. A recorded pid that is gone, a zombie, another
 * process or unprovable is never signalled; destroy then says so.
 */
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { AgentSpecError, ErrorCode, isAgentSpecError } from '../../../shared/errors.js';
import type { IRDeploy } from '../../../shared/ir/types.js';
import type { DeployContext, Deployer, DriftItem, LogOptions, PlanItem, TargetState, TargetStatus } from '../types.js';
import { deploySettings, fingerprint } from '../fingerprint.js';
import { probeHealth, waitHealthy } from '../health.js';
import { followFile } from '../follow-file.js';
import { API_KEYS_VARIABLE, GENERATED_SOURCE } from '../api-keys.js';
import { processFiles, type ProcessFiles } from './process-files.js';
import { environOf, processUsage, standing, startDetached, stopProcess, type StartedProcess, type Standing } from './process-control.js';
import { processEnv } from './process-env.js';
import { portAvailability } from '../port-availability.js';
import { listensOn } from './listening.js';
import { processDrift, servedIrHash } from './process-drift.js';
import { DEFAULTS } from '../../../shared/lang/lower.js';

export interface ProcessDeployerOptions {
  /** argv that starts the serve entry (the IR path comes in `AGENTSPEC_IR`) */
  command: string[];
  /** SIGTERM → SIGKILL grace; 10 s by default */
  graceMs?: number;
  /** how long to wait for `/healthz`; 30 s by default */
  healthTimeoutMs?: number;
  /** extra environment for the runtime (tests point ANTHROPIC_BASE_URL at a fake) */
  env?: NodeJS.ProcessEnv;
}

/** the port a deploy block without `port` serves on: the language's default */
const DEFAULT_PORT = DEFAULTS.port;
const LOG_LINES = 15;
const DEFAULT_HEALTH_TIMEOUT_MS = 30_000;

/** Where a version listens and how it is checked. */
interface Placement {
  host: string;
  port: number;
  endpoint: string;
  healthPath: string;
}

/** The version serving before an apply, as needed to restart it. */
interface Previous {
  state: TargetState;
  /** its environment, read from /proc before it was stopped; undefined when unreadable */
  environ: Record<string, string> | undefined;
}

/** Deploys to a local detached process. */
export class ProcessDeployer implements Deployer {
  constructor(private readonly options: ProcessDeployerOptions) {}

  async plan(ctx: DeployContext): Promise<PlanItem[]> {
    const wanted = this.fingerprints(ctx);
    const state = ctx.state;
    if (!state) return [{ resource: 'process', action: 'create' }];
    if (state.in_progress) return [{ resource: 'process', action: 'update', reason: 'a previous apply was interrupted' }];
    const recorded = recordedIn(state);
    const now = standingOf(recorded);
    if (now !== 'ours') return [{ resource: 'process', action: 'create', reason: recorded ? describe(recorded.pid, now) : 'no process is recorded' }];
    const changed = Object.keys(wanted).filter((k) => wanted[k] !== state.fingerprints[k]);
    if (!changed.length) return [{ resource: 'process', action: 'unchanged' }];
    const reason = ctx.restore ? `rollback to IR ${ctx.restore.ir_hash.slice(0, 12)}` : `changed: ${changed.join(', ')}`;
    return [{ resource: 'process', action: 'update', reason }];
  }

  async apply(ctx: DeployContext): Promise<TargetState> {
    if (ctx.restore && ctx.restore.ir_hash !== ctx.ir.hash) {
      throw new AgentSpecError(
        ErrorCode.DeployError,
        `Rollback of "${ctx.deploy.name}" to IR ${ctx.restore.ir_hash.slice(0, 12)} was given the package with IR ${ctx.ir.hash.slice(0, 12)}; nothing was changed.`,
        { details: { target: ctx.deploy.name, restore: ctx.restore.ir_hash, ir: ctx.ir.hash } },
      );
    }
    const [item] = await this.plan(ctx);
    if (item?.action === 'unchanged' && ctx.state) return ctx.state;
    const files = processFiles(ctx.workdir, ctx.deploy.name);
    await mkdir(files.dir, { recursive: true, mode: 0o700 });
    const where = placementOf(ctx.deploy);

    // preflight: everything that can fail, before the running version is touched
    const candidates = await candidatesOf(ctx.state, files.pid);
    const recorded = recordedIn(ctx.state);
    const previous: Previous | undefined =
      ctx.state && recorded && standingOf(recorded) === 'ours' ? { state: ctx.state, environ: environOf(recorded.pid, recorded.start) } : undefined;
    const runtime = await processEnv({
      ctx,
      extra: this.options.env,
      host: where.host,
      port: where.port,
      irFile: files.next,
      previousGenerated: ctx.state?.ids.api_keys === GENERATED_SOURCE ? previous?.environ?.[API_KEYS_VARIABLE] : undefined,
    });
    if (runtime.warning) ctx.progress(`warning: ${runtime.warning}`);
    if (ctx.state?.ids.api_keys === GENERATED_SOURCE && runtime.generated)
      ctx.progress('the generated API key of the running version could not be read back (its process is not running as ours): a new key is generated');
    await checkPort(ctx, where, candidates);
    await writeFile(files.next, JSON.stringify(ctx.ir), { mode: 0o600 }).catch((error: unknown) => {
      throw new AgentSpecError(ErrorCode.DeployError, `Cannot write the IR file of "${ctx.deploy.name}" in ${files.dir}: ${(error as Error).message}`, {
        cause: error,
      });
    });

    if (ctx.restore) ctx.progress(`rolling back "${ctx.deploy.name}" to IR ${ctx.restore.ir_hash.slice(0, 12)} (applied ${ctx.restore.applied_at})`);
    await this.stopRecorded(ctx, candidates);
    ctx.progress(`starting the runtime on ${where.endpoint}`);
    let started: StartedProcess;
    try {
      started = await this.startVersion(ctx, runtime.env, files, where, ctx.ir.hash);
    } catch (error) {
      await rm(files.next, { force: true });
      throw await this.restorePrevious(ctx, previous, files, error);
    }
    await rename(files.next, files.ir);
    if (runtime.generated)
      ctx.progress(
        `API key of deploy "${ctx.deploy.name}" (generated, shown this once; kept only in the process's environment, reused by later applies while it runs): ${runtime.generated}`,
      );
    return {
      target: ctx.deploy.name,
      kind: 'process',
      ir_hash: ctx.ir.hash,
      endpoint: where.endpoint,
      ids: { ...idsOf(started), api_keys: runtime.keys },
      fingerprints: this.fingerprints(ctx),
      applied_at: new Date().toISOString(),
    };
  }

  async diff(ctx: DeployContext): Promise<DriftItem[]> {
    const state = ctx.state;
    if (!state) return [];
    const recorded = recordedIn(state);
    const { host, port } = placementOf(ctx.deploy);
    return processDrift({
      state,
      recorded,
      standing: standingOf(recorded),
      host,
      port,
      files: processFiles(ctx.workdir, ctx.deploy.name),
      workdir: ctx.workdir,
    });
  }

  async status(ctx: DeployContext): Promise<TargetStatus> {
    const state = ctx.state;
    const recorded = recordedIn(state);
    const now = standingOf(recorded);
    const alive = now === 'ours';
    const healthPath = ctx.deploy.attributes.health?.path ?? '/healthz';
    const healthy = alive && state?.endpoint !== undefined && (await probeHealth(`${state.endpoint}${healthPath}`));
    return {
      target: ctx.deploy.name,
      healthy,
      ...(state?.endpoint ? { endpoint: state.endpoint } : {}),
      ...(state ? { version: state.ir_hash } : {}),
      detail: {
        pid: recorded?.pid,
        running: alive,
        ...(recorded && !alive ? { process: now } : {}),
        ...(recorded && alive ? await processUsage(recorded.pid) : {}),
      },
    };
  }

  async *logs(ctx: DeployContext, options: LogOptions): AsyncIterable<string> {
    yield* followFile(processFiles(ctx.workdir, ctx.deploy.name).log, options);
  }

  /**
   * Stops the recorded runtime and removes its files. When nothing recorded
   * could be stopped as ours, throws `not_found` with `details.forget`: there
   * is nothing of this target left to tear down, and the message says why.
   */
  async destroy(ctx: DeployContext): Promise<void> {
    const files = processFiles(ctx.workdir, ctx.deploy.name);
    const { stopped, notes } = await this.stopRecorded(ctx, await candidatesOf(ctx.state, files.pid));
    for (const file of [files.ir, files.next, files.pid, files.log]) await rm(file, { force: true });
    if (!stopped && notes.length > 0) {
      throw new AgentSpecError(ErrorCode.NotFound, `Nothing was stopped for "${ctx.deploy.name}": ${notes.map((n) => n.text).join('; ')}.`, {
        details: { forget: true, target: ctx.deploy.name, processes: notes.map(({ pid, standing: now }) => ({ pid, standing: now })) },
      });
    }
  }

  private fingerprints(ctx: DeployContext): Record<string, string> {
    return { ir: ctx.ir.hash, settings: fingerprint(deploySettings(ctx.deploy)), command: fingerprint(this.options.command) };
  }

  /**
   * Starts one version and waits until `/healthz` answers with `irHash`;
   * when it does not, stops it and throws with its last log lines.
   */
  private async startVersion(
    ctx: DeployContext,
    env: NodeJS.ProcessEnv,
    files: ProcessFiles,
    where: Placement,
    irHash: string,
    timeoutMs = this.options.healthTimeoutMs ?? DEFAULT_HEALTH_TIMEOUT_MS,
  ): Promise<StartedProcess> {
    const logStart = (await stat(files.log).catch(() => undefined))?.size ?? 0;
    const started = await startDetached(this.options.command, env, files.log, ctx.workdir);
    const { pid, start } = started;
    await writeFile(files.pid, JSON.stringify(started), { mode: 0o600 });
    try {
      await waitHealthy(`${where.endpoint}${where.healthPath}`, {
        timeoutMs,
        signal: ctx.signal,
        failed: () => (running(standing(pid, start)) ? undefined : 'The runtime exited during start-up.'),
      });
      const served = await servedIrHash(where.endpoint);
      if (served !== irHash)
        throw new AgentSpecError(
          ErrorCode.DeployError,
          `${where.endpoint}/healthz answers with IR ${served?.slice(0, 12) ?? '(none)'}, not the ${irHash.slice(0, 12)} just started.`,
        );
      return started;
    } catch (error) {
      await stopProcess(pid, start, 1000);
      const lines = await logSince(files.log, logStart, LOG_LINES);
      throw lines
        ? withMessage(
            error,
            (m) => `${m}
Last log lines of that runtime:
${lines}`,
          )
        : error;
    }
  }

  /**
   * After the new version failed: restarts the previous one (if it was
   * serving) from its IR with the environment it had, and returns the error
   * to throw, saying whether the previous version serves again.
   */
  private async restorePrevious(ctx: DeployContext, previous: Previous | undefined, files: ProcessFiles, failure: unknown): Promise<unknown> {
    if (!previous) return failure;
    const hash = previous.state.ir_hash;
    if (!previous.environ)
      return withMessage(
        failure,
        (m) => `${m}
The previous version (IR ${hash.slice(0, 12)}) could not be restarted: its environment could not be read.`,
        {
          previous_restored: false,
        },
      );
    ctx.progress(`the new version failed; restarting the previous version (IR ${hash.slice(0, 12)})`);
    const env: Record<string, string> = { ...previous.environ, AGENTSPEC_IR: files.ir };
    const where: Placement = {
      host: env.HOST ?? '127.0.0.1',
      port: Number(env.PORT ?? DEFAULT_PORT),
      endpoint: previous.state.endpoint ?? `http://127.0.0.1:${env.PORT ?? DEFAULT_PORT}`,
      healthPath: '/healthz',
    };
    try {
      // not cancellable: an aborted apply still brings the previous version back
      const { signal: _cancel, ...uncancelled } = ctx;
      // the version that served before gets at least the default wait, whatever a caller set for new versions
      const timeoutMs = Math.max(this.options.healthTimeoutMs ?? 0, DEFAULT_HEALTH_TIMEOUT_MS);
      const restarted = await this.startVersion(uncancelled, env, files, where, hash, timeoutMs);
      const { in_progress: _, ...record } = previous.state;
      return withMessage(
        failure,
        (m) => `${m}
The previous version (IR ${hash.slice(0, 12)}) was restarted and serves again.`,
        {
          previous_restored: true,
          restored_state: { ...record, ids: { ...record.ids, ...idsOf(restarted) } },
        },
      );
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return withMessage(
        failure,
        (m) => `${m}
The previous version (IR ${hash.slice(0, 12)}) could not be restarted: ${reason}`,
        {
          previous_restored: false,
        },
      );
    }
  }

  /** Stops each candidate proven ours; says what it left alone. */
  private async stopRecorded(ctx: DeployContext, candidates: StartedProcess[]): Promise<{ stopped: boolean; notes: Note[] }> {
    let stopped = false;
    const notes: Note[] = [];
    for (const { pid, start } of candidates) {
      const now = standing(pid, start);
      if (now !== 'ours') {
        const text = `${describe(pid, now)}${LEFT_ALONE[now] ?? ''}`;
        if (running(now)) ctx.progress(text);
        notes.push({ pid, standing: now, text });
        continue;
      }
      ctx.progress(`stopping the running runtime (pid ${pid}), draining in-flight requests`);
      await stopProcess(pid, start, this.options.graceMs ?? 10_000);
      stopped = true;
    }
    return { stopped, notes };
  }
}

/** The recorded process and any process an interrupted apply left in the pid file, once each. */
async function candidatesOf(state: TargetState | undefined, pidFile: string): Promise<StartedProcess[]> {
  const candidates = new Map<number, StartedProcess>();
  for (const found of [recordedIn(state), parsePidFile(await readFile(pidFile, 'utf8').catch(() => ''))]) {
    if (found && !candidates.get(found.pid)?.start) candidates.set(found.pid, found);
  }
  return [...candidates.values()];
}

/**
 * The port must be free, or held by this target's own process (the recorded
 * one, or one an interrupted apply left in the pid file, proven ours and
 * listening on it): checked before anything is stopped.
 */
async function checkPort(ctx: DeployContext, where: Placement, candidates: StartedProcess[]): Promise<void> {
  let held = false;
  for (const c of candidates) held ||= standing(c.pid, c.start) === 'ours' && (await listensOn(c.pid, where.port));
  if (held) return;
  const availability = await portAvailability(where.host, where.port);
  if (availability === 'free') return;
  const message =
    availability === 'in-use'
      ? `Port ${where.port} on ${where.host} is in use by a process this target did not start; stop it or choose another port. Nothing was changed.`
      : `The runtime cannot listen on ${where.host}:${where.port} (${availability}); choose another host or port. Nothing was changed.`;
  throw new AgentSpecError(ErrorCode.DeployError, message, { details: { target: ctx.deploy.name, host: where.host, port: where.port } });
}

function placementOf(deploy: IRDeploy): Placement {
  const host = deploy.attributes.host ?? '127.0.0.1';
  const port = deploy.attributes.port ?? DEFAULT_PORT;
  return {
    host,
    port,
    endpoint: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`,
    healthPath: deploy.attributes.health?.path ?? '/healthz',
  };
}

function idsOf({ pid, start }: StartedProcess): Record<string, string | number> {
  return { pid, ...(start === undefined ? {} : { pid_start: start }) };
}

/** The error with its message rewritten and details added, keeping its code. */
function withMessage(error: unknown, message: (m: string) => string, details: Record<string, unknown> = {}): AgentSpecError {
  const base = isAgentSpecError(error) ? error : new AgentSpecError(ErrorCode.DeployError, error instanceof Error ? error.message : String(error));
  return new AgentSpecError(base.code, message(base.message), { details: { ...base.details, ...details }, cause: error });
}

/** The last `lines` lines written to `file` after byte `from`. */
async function logSince(file: string, from: number, lines: number): Promise<string> {
  const text = (await readFile(file).catch(() => Buffer.alloc(0))).subarray(from).toString('utf8');
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

interface Note {
  pid: number;
  standing: Standing;
  text: string;
}

/** What a recorded process that is not (provably) ours is, as the end of a sentence. */
const STANDING: Record<Standing, string> = {
  ours: 'is running',
  gone: 'is not running',
  zombie: 'has exited (it is a zombie)',
  other: 'is gone: its pid now belongs to another process (the start time differs)',
  unproven: 'cannot be proven to be the runtime apply started (no start time recorded, or /proc unreadable)',
};

const LEFT_ALONE: Partial<Record<Standing, string>> = {
  other: ', which was left alone',
  unproven: '; it was left running: stop it yourself if it is',
};

function standingOf(recorded: StartedProcess | undefined): Standing {
  return recorded ? standing(recorded.pid, recorded.start) : 'gone';
}

/** Alive as far as anyone can tell: ours, or alive without proof (no /proc). */
function running(now: Standing): boolean {
  return now === 'ours' || now === 'unproven';
}

function describe(pid: number, now: Standing): string {
  return `the recorded process (pid ${pid}) ${STANDING[now]}`;
}

/** The process recorded in a target's state: `ids.pid` and `ids.pid_start`. */
function recordedIn(state: TargetState | undefined): StartedProcess | undefined {
  return state ? processOf(state.ids.pid, state.ids.pid_start) : undefined;
}

/** The pid file: `{"pid":…,"start":…}`, or a bare pid (written before start tokens were kept). */
function parsePidFile(text: string): StartedProcess | undefined {
  try {
    const value = JSON.parse(text) as unknown;
    if (typeof value === 'number') return processOf(value, undefined);
    if (typeof value === 'object' && value !== null) return processOf((value as { pid?: unknown }).pid, (value as { start?: unknown }).start);
  } catch {
    /* empty or torn: nothing recorded */
  }
  return undefined;
}

function processOf(pid: unknown, start: unknown): StartedProcess | undefined {
  if (typeof pid !== 'number' || !Number.isSafeInteger(pid) || pid <= 0) return undefined;
  return { pid, ...(typeof start === 'string' ? { start } : {}) };
}
