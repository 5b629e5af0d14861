/**
 * `tool inline`: the code runs in the sandbox, one fresh interpreter per
 * call, with the input on stdin and stdout as the result. bash code also
 * gets the input's scalar fields as `INPUT_<FIELD>` variables and the
 * minimal PATH command tools get (declared env wins over both).
 */
import { AgentSpecError, ErrorCode } from '../errors.js';
import type { IRTool } from '../ir/types.js';
import type { Sandbox } from '../sandbox/types.js';
import type { SecretVault } from '../secrets/vault.js';
import { inputVariables } from './input-variables.js';
import { toolEnv } from './process-env.js';
import { formatBytes, parseOutput, tail } from './tool-output.js';
import type { ToolContext, ToolExecutor } from './types.js';

export type InlineTool = Extract<IRTool, { type: 'inline' }>;

export class InlineExecutor implements ToolExecutor {
  constructor(
    private readonly tool: InlineTool,
    private readonly sandbox: Sandbox,
    private readonly secrets: SecretVault,
  ) {}

  async execute(input: unknown, ctx: ToolContext): Promise<unknown> {
    const { tool } = this;
    const bash = tool.language === 'bash';
    const declared = await toolEnv(tool.env, tool.secrets, this.secrets, bash);
    const env = bash ? { ...inputVariables(input), ...declared } : declared;
    const result = await this.sandbox.run({
      language: tool.language,
      code: tool.code,
      stdin: JSON.stringify(input ?? null),
      env,
      timeoutMs: tool.timeout_ms,
      memoryBytes: tool.memory_bytes,
      signal: ctx.signal,
    });
    // redacted before the cut, which could split a secret and leave a piece no redactor recognises
    const stderr = tail(this.secrets.redact(result.stderr));
    const withStderr = stderr ? `; stderr ends with: ${stderr}` : '';
    if (result.timedOut) {
      throw new AgentSpecError(ErrorCode.Timeout, `Inline ${tool.language} code timed out after ${tool.timeout_ms} ms${withStderr}`);
    }
    if (result.exitCode !== 0) {
      const how =
        result.exitCode === null
          ? `was killed by ${result.signal ?? 'a signal'} (memory cap ${formatBytes(tool.memory_bytes)})`
          : `exited with code ${result.exitCode}`;
      throw new AgentSpecError(ErrorCode.ToolError, `Inline ${tool.language} code ${how}${withStderr || ' (no stderr)'}`, {
        details: { exit_code: result.exitCode, signal: result.signal },
      });
    }
    if (result.truncated) return `${result.stdout.trim()}\n[output cut at the sandbox's output cap]`;
    return parseOutput(result.stdout);
  }
}
