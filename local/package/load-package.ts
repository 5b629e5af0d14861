/**
 * Reads an agent package from disk for the CLI commands: a `.ias` source
 * (compiled, with an optional environment overlay) or an exported `.json` IR.
 * Guards the input first: missing files, directories, binary files and files
 * over 5 MiB get a clear `input_error`.
 */
import { readFile, realpath, stat } from 'node:fs/promises';
import { AgentSpecError, ErrorCode } from '../../shared/errors.js';
import { renderDiagnostic, MAX_SOURCE_BYTES, type Diagnostic } from '../../shared/lang/index.js';
import { compilePackage, type PackageCompileResult } from '../../shared/lang/compile-package.js';
import { loadIR } from '../../shared/ir/load.js';
import type { IRDocument } from '../../shared/ir/types.js';

export interface LoadedPackage {
  ir: IRDocument;
  /** Warnings (a loaded package has no error). */
  diagnostics: Diagnostic[];
  file: string;
  /** Every file the package was read from (the entry and what it imports, missing imports included): what `dev` watches. */
  dependencies: string[];
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

/** Compiles the package whose entry file is `path`, reading it and every file it imports from disk with the input guards. */
export function compileFromDisk(path: string, options: { env?: string } = {}): Promise<PackageCompileResult> {
  return compilePackage(path, { readFile: readSourceFile, realPath: (p) => realpath(p) }, options.env === undefined ? {} : { env: options.env });
}

/**
 * Loads a package: compiles a `.ias` file (and the files it imports) or validates a `.json` IR file.
 * Throws `input_error` for unreadable input and `validation_error` (with
 * `details.diagnostics`) for an invalid package.
 */
export async function loadPackage(path: string, options: { env?: string } = {}): Promise<LoadedPackage> {
  if (path.endsWith('.json')) {
    const text = await readSourceFile(path);
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
    return { ir, diagnostics: [], file: path, dependencies: [path] };
  }
  const { ir, diagnostics, dependencies } = await compileFromDisk(path, options);
  if (!ir) {
    const errors = diagnostics.filter((d) => d.severity === 'error');
    throw new AgentSpecError(ErrorCode.ValidationError, `${path} is not valid:\n${errors.map((d) => renderDiagnostic(d)).join('\n')}`, {
      details: { diagnostics, dependencies },
    });
  }
  return { ir, diagnostics, file: path, dependencies };
}
