/**
 * The `process` target: the runtime as a detached local process. Apply
 * writes the IR beside the state, starts the serve entry with the port, env
 * and resolved secrets in its environment (never on its command line or in a
 * file), waits for `/healthz` and records pid, start token (see
 * process-control.ts) and endpoint. Unchanged → no restart. Changed → the old
 * process is stopped first (SIGTERM: it drains in-flight requests; SIGKILL
 * after the grace period) because the new one needs the same port, then the
 * new one starts. A recorded pid that is gone, a zombie, another process or
 * unprovable is never signalled; destroy then says so instead of succeeding.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { AgentSpecError, ErrorCode } from '../../../shared/errors.js';
import type { DeployContext, Deployer, DriftItem, LogOptions, PlanItem, TargetState, TargetStatus } from '../types.js';
import { deploySettings, fingerprint } from '../fingerprint.js';
import { probeHealth, waitHealthy } from '../health.js';
import { followFile } from '../follow-file.js';
import { processFiles } from './process-files.js';
import { processUsage, standing, startDetached, stopProcess, type StartedProcess, type Standing } from './process-control.js';

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

const DEFAULT_PORT = 8080;

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
    return [{ resource: 'process', action: changed.length ? 'update' : 'unchanged', ...(changed.length ? { reason: `changed: ${changed.join(', ')}` } : {}) }];
  }

  async apply(ctx: DeployContext): Promise<TargetState> {
    const [item] = await this.plan(ctx);
    if (item?.action === 'unchanged' && ctx.state) return ctx.state;
    const files = processFiles(ctx.workdir, ctx.deploy.name);
    await mkdir(files.dir, { recursive: true, mode: 0o700 });
    await this.stopRecorded(ctx, files.pid);

    const host = ctx.deploy.attributes.host ?? '127.0.0.1';
    const port = ctx.deploy.attributes.port ?? DEFAULT_PORT;
    const healthPath = ctx.deploy.attributes.health?.path ?? '/healthz';
    const endpoint = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
    if (await probeHealth(`${endpoint}${healthPath}`, 500)) {
      throw new AgentSpecError(
        ErrorCode.DeployError,
        `Port ${port} on ${host} is already serving something not recorded in the state; stop it or choose another port.`,
        {
          details: { port, host },
        },
      );
    }
    await writeFile(files.ir, JSON.stringify(ctx.ir), { mode: 0o600 });
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...this.options.env,
      ...ctx.deploy.attributes.env,
      AGENTSPEC_IR: files.ir,
      HOST: host,
      PORT: String(port),
    };
    for (const [variable, secret] of Object.entries(ctx.deploy.attributes.secrets)) env[variable] = await ctx.secret(secret);

    ctx.progress(`starting the runtime on ${endpoint}`);
    const started = await startDetached(this.options.command, env, files.log, ctx.workdir);
    const { pid, start } = started;
    await writeFile(files.pid, JSON.stringify(started), { mode: 0o600 });
    try {
      await waitHealthy(`${endpoint}${healthPath}`, {
        timeoutMs: this.options.healthTimeoutMs ?? 30_000,
        signal: ctx.signal,
        failed: async () => (running(standing(pid, start)) ? undefined : `The runtime exited during start-up; last log lines:\n${await tail(files.log, 15)}`),
      });
    } catch (error) {
      await stopProcess(pid, start, 1000);
      throw error;
    }
    return {
      target: ctx.deploy.name,
      kind: 'process',
      ir_hash: ctx.ir.hash,
      endpoint,
      ids: { pid, ...(start === undefined ? {} : { pid_start: start }) },
      fingerprints: this.fingerprints(ctx),
      applied_at: new Date().toISOString(),
    };
  }

  // placeholder until this target's drift check lands
  diff(_ctx: DeployContext): Promise<DriftItem[]> {
    return Promise.reject(new AgentSpecError(ErrorCode.DeployError, 'diff is not available for this target yet.'));
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
    const { stopped, notes } = await this.stopRecorded(ctx, files.pid);
    await rm(files.ir, { force: true });
    await rm(files.pid, { force: true });
    await rm(files.log, { force: true });
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
   * Stops the recorded process and any process an interrupted apply left in
   * the pid file — each only once it is proven ours; says what it left alone.
   */
  private async stopRecorded(ctx: DeployContext, pidFile: string): Promise<{ stopped: boolean; notes: Note[] }> {
    const candidates = new Map<number, StartedProcess>();
    for (const found of [recordedIn(ctx.state), parsePidFile(await readFile(pidFile, 'utf8').catch(() => ''))]) {
      if (found && !candidates.get(found.pid)?.start) candidates.set(found.pid, found);
    }
    let stopped = false;
    const notes: Note[] = [];
    for (const { pid, start } of candidates.values()) {
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

async function tail(file: string, lines: number): Promise<string> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}
