/**
 * The `process` target: the runtime as a detached local process. Apply
 * writes the IR beside the state, starts the serve entry with the port, env
 * and resolved secrets in its environment (never on its command line or in a
 * file), waits for `/healthz` and records pid and endpoint. Unchanged → no
 * restart. Changed → the old process is stopped first (SIGTERM: it drains
 * in-flight requests; SIGKILL after the grace period) because the new one
 * needs the same port, then the new one starts.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { AgentSpecError, ErrorCode } from '../../errors.js';
import type { DeployContext, Deployer, LogOptions, PlanItem, TargetState, TargetStatus } from '../types.js';
import { deploySettings, fingerprint } from '../fingerprint.js';
import { probeHealth, waitHealthy } from '../health.js';
import { followFile } from '../follow-file.js';
import { processFiles } from './process-files.js';
import { isAlive, processUsage, startDetached, stopProcess } from './process-control.js';

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
    const pid = Number(state.ids.pid);
    if (state.in_progress) return [{ resource: 'process', action: 'update', reason: 'a previous apply was interrupted' }];
    if (!pid || !isAlive(pid)) return [{ resource: 'process', action: 'create', reason: 'the recorded process is not running' }];
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
      throw new AgentSpecError(ErrorCode.DeployError, `Port ${port} on ${host} is already serving something not recorded in the state; stop it or choose another port.`, {
        details: { port, host },
      });
    }
    await writeFile(files.ir, JSON.stringify(ctx.ir), { mode: 0o600 });
    const env: NodeJS.ProcessEnv = { ...process.env, ...this.options.env, ...ctx.deploy.attributes.env, AGENTSPEC_IR: files.ir, HOST: host, PORT: String(port) };
    for (const [variable, secret] of Object.entries(ctx.deploy.attributes.secrets)) env[variable] = await ctx.secret(secret);

    ctx.progress(`starting the runtime on ${endpoint}`);
    const pid = await startDetached(this.options.command, env, files.log, ctx.workdir);
    await writeFile(files.pid, String(pid), { mode: 0o600 });
    try {
      await waitHealthy(`${endpoint}${healthPath}`, {
        timeoutMs: this.options.healthTimeoutMs ?? 30_000,
        signal: ctx.signal,
        failed: async () => (isAlive(pid) ? undefined : `The runtime exited during start-up; last log lines:\n${await tail(files.log, 15)}`),
      });
    } catch (error) {
      await stopProcess(pid, 1000);
      throw error;
    }
    return {
      target: ctx.deploy.name,
      kind: 'process',
      ir_hash: ctx.ir.hash,
      endpoint,
      ids: { pid },
      fingerprints: this.fingerprints(ctx),
      applied_at: new Date().toISOString(),
    };
  }

  async status(ctx: DeployContext): Promise<TargetStatus> {
    const state = ctx.state;
    const pid = Number(state?.ids.pid ?? 0);
    const alive = pid > 0 && isAlive(pid);
    const healthPath = ctx.deploy.attributes.health?.path ?? '/healthz';
    const healthy = alive && state?.endpoint !== undefined && (await probeHealth(`${state.endpoint}${healthPath}`));
    return {
      target: ctx.deploy.name,
      healthy,
      ...(state?.endpoint ? { endpoint: state.endpoint } : {}),
      ...(state ? { version: state.ir_hash } : {}),
      detail: { pid: pid || undefined, running: alive, ...(alive ? await processUsage(pid) : {}) },
    };
  }

  async *logs(ctx: DeployContext, options: LogOptions): AsyncIterable<string> {
    yield* followFile(processFiles(ctx.workdir, ctx.deploy.name).log, options);
  }

  async destroy(ctx: DeployContext): Promise<void> {
    const files = processFiles(ctx.workdir, ctx.deploy.name);
    await this.stopRecorded(ctx, files.pid);
    await rm(files.ir, { force: true });
    await rm(files.pid, { force: true });
    await rm(files.log, { force: true });
  }

  private fingerprints(ctx: DeployContext): Record<string, string> {
    return { ir: ctx.ir.hash, settings: fingerprint(deploySettings(ctx.deploy)), command: fingerprint(this.options.command) };
  }

  /** Stops the recorded process and any process an interrupted apply left in the pid file. */
  private async stopRecorded(ctx: DeployContext, pidFile: string): Promise<void> {
    const pids = new Set<number>();
    const recorded = Number(ctx.state?.ids.pid ?? 0);
    if (recorded > 0) pids.add(recorded);
    const fromFile = Number((await readFile(pidFile, 'utf8').catch(() => '')).trim());
    if (fromFile > 0) pids.add(fromFile);
    for (const pid of pids) {
      if (!isAlive(pid)) continue;
      ctx.progress(`stopping the running runtime (pid ${pid}), draining in-flight requests`);
      await stopProcess(pid, this.options.graceMs ?? 10_000);
    }
  }
}

async function tail(file: string, lines: number): Promise<string> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}
