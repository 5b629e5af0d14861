/**
 * Structured JSON logs: one line per record, secrets redacted from the whole
 * serialised line (so a secret hidden in any field, message or error text is
 * caught), written to a sink (stderr by default, so stdout stays the
 * program's output).
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

export interface LoggerOptions {
  /** replaces secret values in a text; identity when omitted */
  redact?: (text: string) => string;
  /** receives each serialised line (without newline); stderr by default */
  sink?: (line: string) => void;
  /** records below this level are dropped; `info` by default */
  level?: LogLevel;
  /** fields added to every record */
  base?: LogFields;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** A JSON-lines logger with redaction. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const redact = options.redact ?? ((text: string) => text);
  const sink = options.sink ?? ((line: string) => process.stderr.write(`${line}\n`));
  const min = ORDER[options.level ?? 'info'];
  const write = (level: LogLevel, message: string, fields: LogFields = {}): void => {
    if (ORDER[level] < min) return;
    const record = { time: new Date().toISOString(), level, msg: message, ...options.base, ...fields };
    try {
      sink(redact(JSON.stringify(plain(record, 0))));
    } catch {
      // A broken sink must never break the request that logs.
    }
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
  };
}

/** A logger that drops everything (tests, benchmarks). */
export const SILENT_LOGGER: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * Errors are not enumerable and `AgentSpecError.toJSON` drops the cause, so
 * errors are turned into `{name, message, code, cause}` before serialising
 * (depth-bounded, for cyclic or deep values).
 */
function plain(value: unknown, depth: number): unknown {
  if (depth > 8) return '[deep]';
  if (value instanceof Error) {
    const out: Record<string, unknown> = { name: value.name, message: value.message };
    const code = (value as { code?: unknown }).code;
    if (code !== undefined) out.code = code;
    if (value.cause !== undefined) out.cause = plain(value.cause, depth + 1);
    return out;
  }
  if (Array.isArray(value)) return value.map((v) => plain(v, depth + 1));
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v, depth + 1)]));
  }
  return value;
}
