/**
 * Reads an agent package from disk for the CLI commands: a `.ias` source
 * (compiled, with an optional environment overlay) or an exported `.json` IR.
 * Guards the input first: missing files, directories, binary files and files
 * over 5 MiB get a clear `input_error`.
 */
import { readFile, stat } from 'node:fs/promises';
import { AgentSpecError, ErrorCode } from '../../shared/errors.js';
import { compile, renderDiagnostic, MAX_SOURCE_BYTES, type Diagnostic } from '../../shared/lang/index.js';
import { loadIR } from '../../shared/ir/load.js';
import type { IRDocument } from '../../shared/ir/types.js';

export interface LoadedPackage {
  ir: IRDocument;
  /** Warnings (a loaded package has no error). */
  diagnostics: Diagnostic[];
  file: string;
}

/** Reads a text file with the language's input limits; throws `input_error` with a clear message. */
export async function readSourceFile(path: string): Promise<string> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new AgentSpecError(ErrorCode.InputError, code === 'ENOENT' ? `${path}: no such file.` : `${path}: cannot be read (${code ?? 'unknown error'}).`, {
      cause: error,
    });
  }
  if (info.isDirectory()) throw new AgentSpecError(ErrorCode.InputError, `${path} is a directory; pass the .ias file inside it.`);
  if (!info.isFile()) throw new AgentSpecError(ErrorCode.InputError, `${path} is not a regular file.`);
  if (info.size > MAX_SOURCE_BYTES) {
    throw new AgentSpecError(
      ErrorCode.InputError,
      `${path} is ${(info.size / 1024 / 1024).toFixed(1)} MiB; the limit is ${MAX_SOURCE_BYTES / 1024 / 1024} MiB.`,
    );
  }
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new AgentSpecError(ErrorCode.InputError, `${path}: cannot be read.`, { cause: error });
  }
  if (bytes.includes(0)) throw new AgentSpecError(ErrorCode.InputError, `${path} looks like a binary file (it contains NUL bytes); expected IntentLang text.`);
  return bytes.toString('utf8');
}

/**
 * Loads a package: compiles a `.ias` file or validates a `.json` IR file.
 * Throws `input_error` for unreadable input and `validation_error` (with
 * `details.diagnostics`) for an invalid package.
 */
export async function loadPackage(path: string, options: { env?: string } = {}): Promise<LoadedPackage> {
  const text = await readSourceFile(path);
  if (path.endsWith('.json')) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new AgentSpecError(ErrorCode.InputError, `${path} is not valid JSON: ${(error as Error).message}`, { cause: error });
    }
    const ir = loadIR(json);
    if (options.env !== undefined && ir.environment !== options.env) {
      throw new AgentSpecError(
        ErrorCode.InputError,
        `${path} is IR exported ${ir.environment ? `for environment "${ir.environment}"` : 'without an environment'}; export it again with --env ${options.env}.`,
      );
    }
    return { ir, diagnostics: [], file: path };
  }
  const compileOptions: { file: string; env?: string } = { file: path };
  if (options.env !== undefined) compileOptions.env = options.env;
  const { ir, diagnostics } = compile(text, compileOptions);
  if (!ir) {
    const errors = diagnostics.filter((d) => d.severity === 'error');
    throw new AgentSpecError(ErrorCode.ValidationError, `${path} is not valid:\n${errors.map((d) => renderDiagnostic(d)).join('\n')}`, {
      details: { diagnostics },
    });
  }
  return { ir, diagnostics, file: path };
}
