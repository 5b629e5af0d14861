/**
 * Resolves the real interpreter binaries and the directories they need, so
 * that only those are bound read-only into the sandbox (pyenv's shims, for
 * one, are shell scripts pointing into the user's home).
 */
import { spawn } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { dirname } from 'node:path';
import { AgentSpecError, ErrorCode } from '../errors.js';
import { findOnPath } from './system-probe.js';

/**
 * Runs a short command for its stdout, in a process group of its own so that a
 * terminal's Ctrl-C (which the runtime answers with an ordered shutdown) does
 * not kill it half-way and turn a shutdown into an error.
 */
function run(command: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { detached: true, stdio: ['ignore', 'pipe', 'ignore'], timeout: timeoutMs });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('close', (code, signal) => (code === 0 ? resolve(stdout) : reject(new Error(`${command} ended with ${signal ?? `exit code ${code}`}`))));
  });
}

export interface Interpreter {
  /** absolute, symlink-free path of the binary */
  binary: string;
  /** directories the interpreter reads at run time (its install prefix) */
  roots: string[];
}

/** Asks python itself where it lives: a shim's path says nothing about the real install. */
export async function resolvePython(command: string): Promise<Interpreter> {
  try {
    const stdout = await run(
      command,
      ['-S', '-I', '-c', 'import os,sys;print(os.path.realpath(sys.executable));print(sys.base_prefix);print(sys.base_exec_prefix)'],
      10_000,
    );
    const [binary, prefix, execPrefix] = stdout.trim().split('\n');
    if (!binary || !prefix) throw new Error(`unexpected answer: ${stdout.slice(0, 200)}`);
    return { binary, roots: [...new Set([prefix, execPrefix ?? prefix, dirname(binary)])] };
  } catch (error) {
    throw new AgentSpecError(
      ErrorCode.Unavailable,
      `The python interpreter "${command}" cannot be started; install python3 or set the sandbox's python option.`,
      {
        cause: error,
      },
    );
  }
}

/** A binary found on PATH (or given as a path), with the parent of its bin directory as its install prefix. */
function resolveBinary(command: string, problem: string): Interpreter {
  try {
    const binary = realpathSync(command.includes('/') ? command : (findOnPath(command) ?? command));
    return { binary, roots: [dirname(dirname(binary))] };
  } catch (error) {
    throw new AgentSpecError(ErrorCode.Unavailable, problem, { cause: error });
  }
}

/** Node's install prefix is the parent of its bin directory. */
export function resolveNode(command: string): Interpreter {
  return resolveBinary(command, `The node binary "${command}" does not exist; set the sandbox's node option to an absolute path.`);
}

/** bash, for inline bash code: absent from the machine (or the image), every bash call fails with this. */
export function resolveBash(command: string): Interpreter {
  return resolveBinary(
    command,
    `Inline bash code cannot run: the bash binary "${command}" does not exist here; install bash (Debian/Ubuntu: apt-get install bash) or set the sandbox's bash option to an absolute path.`,
  );
}
