/**
 * `agentspec run <agent> --input "…" <file>`: one invocation from the command
 * line. Streams the answer's text to stdout and tool calls to stderr (or
 * prints the invoke result with `--json`); exits non-zero on error. With
 * `REDIS_URL` the sessions and the run are kept in Redis like a server's:
 * the run's id goes to stderr, and a server on the same Redis shows it (and
 * decides its approvals when it pauses for them).
 */
import type { Command } from 'commander';
import { dirname, resolve } from 'node:path';
import { AgentSpecError, ErrorCode } from '../../../shared/errors.js';
import { promptVariables } from '../../../shared/ir/prompt-variables.js';
import { findResource, type IRDocument, type ScalarValue } from '../../../shared/ir/types.js';
import type { AgentRuntime, InvokeRequest, RunEvent } from '../../../shared/loop/types.js';
import { loadPackage } from '../../package/load-package.js';

interface RunOptions {
  input: string;
  var: string[];
  session?: string;
  json?: boolean;
  env?: string;
}

export function register(program: Command): void {
  program
    .command('run')
    .description('invoke one agent once and print its answer')
    .argument('<agent>', 'the agent to run')
    .argument('<file>', 'the .ias package or its IR as .json')
    .requiredOption('-i, --input <text>', 'the user message')
    .option('--var <key=value>', 'a prompt variable (repeatable)', (v: string, all: string[]) => [...all, v], [])
    .option('--session <id>', 'continue (or start) this session; persistent only with REDIS_URL')
    .option('--json', 'print the invoke result as JSON instead of streaming')
    .option('--env <name>', 'environment overlay to apply')
    .action(async (agent: string, file: string, options: RunOptions) => {
      const { ir } = await loadPackage(file, options.env === undefined ? {} : { env: options.env });
      // Loaded here so that registering `run` costs the other commands nothing.
      const [{ composeService }, { createSessionStoreFromEnv }, { createRunStoreFromEnv }] = await Promise.all([
        import('../../../shared/compose/compose-service.js'),
        import('../../sessions/redis-store.js'),
        import('../../runs/redis-run-store.js'),
      ]);
      const sessions = createSessionStoreFromEnv();
      const runs = createRunStoreFromEnv();
      const { runtime, redactor, logger } = await composeService({ ir }, { workdir: dirname(resolve(file)), ...(sessions ? { sessions } : {}) });
      const controller = new AbortController();
      const onSigint = () => controller.abort();
      process.once('SIGINT', onSigint);
      try {
        if (!runtime.hasAgent(agent)) {
          throw new AgentSpecError(
            ErrorCode.NotFound,
            `No agent named "${agent}" in ${file}; agents: ${runtime
              .agents()
              .map((a) => a.name)
              .join(', ')}.`,
          );
        }
        const request: InvokeRequest = { message: options.input, signal: controller.signal, variables: parseVariables(ir, agent, options.var) };
        if (options.session !== undefined) request.sessionId = await ensureSession(runtime, agent, options.session);
        const redact = (text: string) => redactor.redact(text);
        if (runs) {
          const { recordedRun } = await import('../recorded-run.js');
          const recorded = await recordedRun({ runs, logger }, runtime, agent, request, options.json ? 'invoke' : 'stream');
          process.stderr.write(`run ${recorded.id}\n`);
          if (options.json) process.stdout.write(`${JSON.stringify(await recorded.result(), null, 2)}\n`);
          else await streamToTerminal(recorded.events, redact);
        } else if (options.json) {
          process.stdout.write(`${JSON.stringify(await runtime.invoke(agent, request), null, 2)}\n`);
        } else {
          await streamToTerminal(runtime.stream(agent, request), redact);
        }
      } finally {
        process.off('SIGINT', onSigint);
        await runtime.close();
        await runs?.close();
      }
    });
}

async function streamToTerminal(events: AsyncIterable<RunEvent>, redact: (t: string) => string): Promise<void> {
  let endsWithNewline = true;
  for await (const event of events) {
    switch (event.type) {
      case 'text':
        process.stdout.write(event.data.text);
        endsWithNewline = event.data.text.endsWith('\n');
        break;
      case 'tool_call_start':
        process.stderr.write(redact(`\n→ ${event.data.name} ${JSON.stringify(event.data.input)}\n`));
        break;
      case 'tool_call_end':
        process.stderr.write(
          redact(`← ${event.data.name} ${event.data.status} in ${event.data.duration_ms} ms${event.data.error ? `: ${event.data.error}` : ''}\n`),
        );
        break;
      case 'error':
        if (!endsWithNewline) process.stdout.write('\n');
        throw new AgentSpecError(event.data.error, event.data.message, { details: event.data.details ?? {} });
      case 'done':
        if (!endsWithNewline) process.stdout.write('\n');
        if (event.data.session_id) process.stderr.write(`session ${event.data.session_id}\n`);
        break;
      case 'approval_required':
        process.stderr.write(redact(`\n? ${event.data.skill} ${JSON.stringify(event.data.input)} needs approval (${event.data.id})\n`));
        break;
      case 'waiting':
        if (!endsWithNewline) process.stdout.write('\n');
        throw new AgentSpecError(
          ErrorCode.Unavailable,
          `The run paused for approval of ${event.data.approvals.map((a) => `${a.skill} (approval ${a.id})`).join(', ')}. agentspec run cannot decide approvals: with REDIS_URL set, a server on the same Redis decides them (POST /v1/runs/{run}/approvals/{approval}); else run the agent on agentspec dev.`,
          { details: { approvals: event.data.approvals.map((a) => a.id) } },
        );
    }
  }
}

/**
 * `--var k=v` values, typed by the agent prompt's declared variables (a number
 * or bool variable gets a number or boolean). A name the prompt does not take
 * is an error rather than silently ignored: a typo would otherwise run the
 * agent with the default. The prompt takes its declared variables, or, when it
 * has no `variables` block, the `{{name}}` placeholders of its content.
 */
export function parseVariables(ir: IRDocument, agent: string, pairs: string[]): Record<string, ScalarValue> {
  const promptName = findResource(ir, 'Agent', agent)?.attributes.prompt;
  const prompt = promptName === undefined ? undefined : findResource(ir, 'Prompt', promptName);
  const declared = promptVariables(ir, agent);
  const accepted = new Set(declared.map((v) => v.name));
  const variables: Record<string, ScalarValue> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new AgentSpecError(ErrorCode.InputError, `--var "${pair}" is not key=value.`);
    const key = pair.slice(0, at);
    const raw = pair.slice(at + 1);
    if (!accepted.has(key)) {
      const takes = !prompt
        ? 'it has no prompt, so it takes no variables'
        : `its prompt "${prompt.name}" ${accepted.size === 0 ? 'takes no variables' : `declares: ${[...accepted].join(', ')}`}`;
      throw new AgentSpecError(ErrorCode.InputError, `--var ${key}: agent "${agent}" has no variable "${key}"; ${takes}.`);
    }
    const type = declared.find((v) => v.name === key)?.type;
    if (type === 'number') {
      const n = Number(raw);
      if (raw.trim() === '' || Number.isNaN(n)) throw new AgentSpecError(ErrorCode.InputError, `--var ${key} must be a number, got "${raw}".`);
      variables[key] = n;
    } else if (type === 'bool') {
      if (raw !== 'true' && raw !== 'false') throw new AgentSpecError(ErrorCode.InputError, `--var ${key} must be true or false, got "${raw}".`);
      variables[key] = raw === 'true';
    } else {
      variables[key] = raw;
    }
  }
  return variables;
}

/** The session to continue: the given id when it exists, else a new session with that id. */
async function ensureSession(runtime: AgentRuntime, agent: string, id: string): Promise<string> {
  const existing = await runtime.sessions.get(agent, id);
  return existing ? existing.id : (await runtime.sessions.create(agent, { id })).id;
}
