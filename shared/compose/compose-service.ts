/**
 * The one wiring every entry point calls (dev, serve, run, the process and
 * container server, Lambda): from an IR — already validated, or JSON to
 * validate — it returns the IR, the composed runtime, and the parts around
 * it that must agree with each other: the redactor the runtime registers
 * resolved secrets with, the logger that redacts with it, the telemetry that
 * observes the runtime, and the session store. An entry point that wired
 * these by hand would drift (a logger without the redactor leaks secrets).
 */
import { apiKeysFromEnv } from '../http/auth.js';
import { loadIR } from '../ir/load.js';
import type { IRDocument } from '../ir/types.js';
import { MODEL_KEY_VARIABLES } from '../llm/provider-env.js';
import type { AgentRuntime } from '../loop/types.js';
import { Redactor } from '../secrets/redactor.js';
import { MemorySessionStore } from '../sessions/memory-store.js';
import type { SessionStore } from '../sessions/types.js';
import { createLogger, type LogFields, type Logger, type LogLevel } from '../telemetry/logger.js';
import { Telemetry } from '../telemetry/telemetry.js';
import { composeRuntime, type ComposeOptions } from './compose-runtime.js';

/** What a service is built from: an IR document, or its JSON (validated here unless `verified`, e.g. by a digest checked at deploy time). */
export type ServiceSource = { ir: IRDocument } | { json: unknown; verified?: boolean };

/** The parts shared by every runtime a process composes (a dev reload composes a new runtime with the same ones). */
export interface ServiceContext {
  redactor: Redactor;
  logger: Logger;
  telemetry: Telemetry;
  sessions: SessionStore;
}

export interface ServiceContextOptions {
  /** default: in memory. Entry points that offer Redis pass `createSessionStoreFromEnv()` (kept out of here so Lambda bundles never carry the Redis client) */
  sessions?: SessionStore;
  /** where log lines go (stderr by default) */
  logSink?: (line: string) => void;
  logLevel?: LogLevel;
  /** fields on every log line (the package, the IR digest) */
  logBase?: LogFields;
  /** a redactor to share (Lambda registers keys read after the runtime is built); a fresh one by default */
  redactor?: Redactor;
  env?: NodeJS.ProcessEnv;
}

export type ServiceOptions = ServiceContextOptions &
  Pick<ComposeOptions, 'providerFor' | 'secretResolvers' | 'sandbox' | 'workdir'> & {
    /** reuse the parts of an earlier service instead of making new ones */
    context?: ServiceContext;
  };

export interface Service extends ServiceContext {
  ir: IRDocument;
  runtime: AgentRuntime;
  /** closes the runtime (its tools, sandbox and session store) and flushes telemetry */
  close(): Promise<void>;
}

/** The redactor, the logger that redacts with it, telemetry reporting to that logger, and the session store. */
export function createServiceContext(options: ServiceContextOptions = {}): ServiceContext {
  const redactor = options.redactor ?? new Redactor();
  const logger = createLogger({
    redact: (text) => redactor.redact(text),
    ...(options.logSink ? { sink: options.logSink } : {}),
    ...(options.logLevel ? { level: options.logLevel } : {}),
    ...(options.logBase ? { base: options.logBase } : {}),
  });
  const telemetry = new Telemetry({ logger });
  registerProcessSecrets(redactor, options.env ?? process.env);
  return { redactor, logger, telemetry, sessions: options.sessions ?? new MemorySessionStore() };
}

/** The secrets the process itself holds: the model keys (every provider's), and the API keys clients must send. */
function registerProcessSecrets(redactor: Redactor, env: NodeJS.ProcessEnv): void {
  for (const variable of MODEL_KEY_VARIABLES) {
    const value = env[variable];
    if (value) redactor.register(variable.toLowerCase().replaceAll('_', '-'), value);
  }
  for (const [i, key] of (apiKeysFromEnv(env) ?? []).entries()) redactor.register(`api-key-${i}`, key);
}

/**
 * Validates the IR and composes its runtime with every part wired in.
 * @example
 * const service = await composeService({ json: JSON.parse(text) });
 * await startServer({ runtime: () => service.runtime, logger: service.logger, telemetry: service.telemetry });
 */
export async function composeService(source: ServiceSource, options: ServiceOptions = {}): Promise<Service> {
  const ir = 'ir' in source ? source.ir : source.verified ? (source.json as IRDocument) : loadIR(source.json);
  const context = options.context ?? createServiceContext({ ...options, logBase: { package: ir.package.name, ...options.logBase } });
  const runtime = await composeRuntime(ir, {
    observer: context.telemetry,
    redactor: context.redactor,
    sessions: context.sessions,
    logger: (line) => {
      const { level, msg, message, ...fields } = line;
      context.logger[levelOf(level)](String(msg ?? message ?? fields.event ?? ''), fields);
    },
    ...(options.providerFor ? { providerFor: options.providerFor } : {}),
    ...(options.secretResolvers ? { secretResolvers: options.secretResolvers } : {}),
    ...(options.sandbox ? { sandbox: options.sandbox } : {}),
    ...(options.workdir ? { workdir: options.workdir } : {}),
  });
  return {
    ...context,
    ir,
    runtime,
    close: async () => {
      await runtime.close();
      await context.telemetry.shutdown();
    },
  };
}

function levelOf(level: unknown): LogLevel {
  return level === 'debug' || level === 'warn' || level === 'error' ? level : 'info';
}
