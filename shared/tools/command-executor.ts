/**
 * `tool command`: a binary with arguments, never a shell. The input arrives as
 * JSON on stdin, stdout is the result. The process leads its own process
 * group so a timeout or cancellation kills it and everything it started;
 * whatever is left in the group after it exits is killed too.
 */
import { AgentSpecError, ErrorCode } from '../errors.js';
import type { IRTool } from '../ir/types.js';
import type { SecretVault } from '../secrets/vault.js';
import { toolEnv } from './process-env.js';
import { CappedBuffer, formatBytes, parseOutput, tail } from './tool-output.js';
import type { ToolContext, ToolExecutor } from './types.js';

export type CommandTool = Extract<IRTool, { type: 'command' }>;

export const DEFAULT_OUTPUT_CAP = 1024 * 1024;

interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: CappedBuffer;
  stderr: CappedBuffer;
}

export class CommandExecutor implements ToolExecutor {
  constructor(
    private readonly tool: CommandTool,
    private readonly secrets: SecretVault,
    private readonly outputCap = DEFAULT_OUTPUT_CAP,
    /** where the command runs: the package's directory */
    private readonly cwd?: string,
  ) {}

  async execute(input: unknown, ctx: ToolContext): Promise<unknown> {
    const env = await toolEnv(this.tool.env, this.tool.secrets, this.secrets, true);
    const outcome = await this.run(JSON.stringify(input ?? null), env, ctx.signal);
    const name = `Command "${this.tool.binary}"`;
    if (ctx.signal.aborted) throw ctx.signal.reason instanceof Error ? ctx.signal.reason : new AgentSpecError(ErrorCode.Cancelled, `${name} was cancelled.`);
    if (outcome.code !== 0) {
      const how = outcome.code === null ? `was killed by ${outcome.signal ?? 'a signal'}` : `exited with code ${outcome.code}`;
      // redacted before the cut, which could split a secret and leave a piece no redactor recognises
      const stderr = tail(this.secrets.redact(outcome.stderr.text()));
      throw new AgentSpecError(ErrorCode.ToolError, `${name} ${how}${stderr ? `; stderr ends with: ${stderr}` : ' (no stderr)'}`, {
        details: { exit_code: outcome.code, signal: outcome.signal },
      });
    }
    const result = parseOutput(outcome.stdout.text());
    if (outcome.stdout.truncated) return `${outcome.stdout.text().trim()}\n[output cut at ${formatBytes(this.outputCap)}]`;
    return result;
  }

  private run(stdin: string, env: Record<string, string>, signal: AbortSignal): Promise<Outcome> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      // taken when a command first runs: loading child_process costs every cold start ≈ 5 ms, and most agents have no command tool
      const { spawn } = process.getBuiltinModule('node:child_process');
      const child = spawn(this.tool.binary, this.tool.args, {
        shell: false,
        detached: true,
        env,
        stdio: ['pipe', 'pipe', 'pipe'],
        ...(this.cwd ? { cwd: this.cwd } : {}),
      });
      const stdout = new CappedBuffer(this.outputCap);
      const stderr = new CappedBuffer(this.outputCap);
      const killGroup = () => {
        if (child.pid === undefined) return;
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // the group is already gone
        }
      };
      const onAbort = () => killGroup();
      signal.addEventListener('abort', onAbort, { once: true });
      child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
      child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
      child.stdin.on('error', () => {}); // a command that does not read its input closes stdin early (EPIPE)
      child.stdin.end(stdin);
      child.once('error', (error: NodeJS.ErrnoException) => {
        signal.removeEventListener('abort', onAbort);
        const reason =
          error.code === 'ENOENT'
            ? 'was not found (give an absolute path or a binary on /usr/local/bin:/usr/bin:/bin)'
            : error.code === 'EACCES'
              ? 'is not executable'
              : `could not start (${error.code ?? error.message})`;
        reject(new AgentSpecError(ErrorCode.ToolError, `Command "${this.tool.binary}" ${reason}.`, { cause: error }));
      });
      child.once('exit', (code, sig) => {
        // background processes the command left behind in its group die with it
        killGroup();
        child.once('close', () => {
          signal.removeEventListener('abort', onAbort);
          resolve({ code, signal: sig, stdout, stderr });
        });
      });
    });
  }
}
