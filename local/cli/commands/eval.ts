/**
 * `agentspec eval <file|dir>`: runs the package's declared eval cases through
 * the normal runtime (prompt, tools, error policy) and scores the answers.
 * Without `--live` the model is the shipped scripted one (answers each case
 * with its `expect`, or as a `--script` file says), so the run checks the
 * package's wiring in CI without a key; with `--live` the agents' real
 * providers answer. Exit 1 when the pass rate is below `--threshold`, a case
 * errored, or `--compare-to` finds a regression; 130 when interrupted.
 */
import type { Command } from 'commander';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { AgentSpecError, ErrorCode } from '../../../shared/errors.js';
import { findResource } from '../../../shared/ir/types.js';
import { currentCase } from '../../../shared/eval/case-context.js';
import { compareReports, formatComparison, previousCases } from '../../eval/compare.js';
import { createJudge } from '../../eval/judge.js';
import { checkLiveKeys } from '../../eval/live-keys.js';
import { formatReport, REPORT_FORMATS } from '../../eval/report.js';
import { DEFAULT_CONCURRENCY, reportSucceeded, runEval } from '../../../shared/eval/runner.js';
import { parseScript, turnsForCase, unusedScriptKeys, type EvalScript } from '../../eval/script.js';
import { selectCases } from '../../../shared/eval/select.js';
import type { ModelProvider } from '../../../shared/llm/types.js';
import { createScriptedProvider } from '../../eval/scripted-provider.js';
import { packageFile } from '../../package/package-file.js';
import { loadPackage } from '../../package/load-package.js';

interface EvalOptions {
  agent?: string;
  tags?: string;
  format: string;
  output?: string;
  compareTo?: string;
  live?: boolean;
  script?: string;
  concurrency: string;
  threshold: string;
  env?: string;
}

export function register(program: Command): void {
  program
    .command('eval')
    .description("run the package's eval cases and score the answers (scripted model unless --live)")
    .argument('<file>', 'the .ias package (or its directory) or its IR as .json')
    .option('--agent <name>', "only this agent's cases")
    .option('--tags <a,b>', 'only cases carrying any of these tags')
    .option('--format <format>', `report format: ${REPORT_FORMATS.join(', ')}`, 'text')
    .option('--output <file>', 'write the report there (the text table still goes to stdout)')
    .option('--compare-to <report.json>', 'an earlier JSON report: show regressions and fail on one')
    .option('--live', "answer with the agents' real model providers (keys from the environment)")
    .option('--script <file.json>', 'scripted-model turns per case (not with --live)')
    .option('--concurrency <n>', 'cases run at once', String(DEFAULT_CONCURRENCY))
    .option('--threshold <rate>', 'pass rate (0..1) the run needs', '1')
    .option('--env <name>', 'environment overlay to apply')
    .action(async (file: string, options: EvalOptions) => {
      process.exitCode = await evalCommand(file, options);
    });
}

async function evalCommand(file: string, options: EvalOptions): Promise<number> {
  const format = oneOf(options.format, REPORT_FORMATS, '--format');
  const concurrency = integer(options.concurrency, '--concurrency', 1, 64);
  const threshold = rate(options.threshold);
  if (options.live && options.script !== undefined)
    throw new AgentSpecError(ErrorCode.InputError, '--script sets what the scripted model answers; it cannot be used with --live.');
  const path = await packageFile(file);
  const { ir } = await loadPackage(path, options.env === undefined ? {} : { env: options.env });
  const tags = options.tags
    ?.split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  const targets = selectCases(ir, { ...(options.agent === undefined ? {} : { agent: options.agent }), ...(tags?.length ? { tags } : {}) });
  if (targets.length === 0) {
    process.stderr.write(
      `No eval cases to run in ${file}${options.agent ? ` for agent ${options.agent}` : ''}${tags?.length ? ` with tags ${tags.join(', ')}` : ''}: nothing was evaluated.\n`,
    );
    return 1;
  }
  // read before any case runs, so a bad file fails fast
  const previous = options.compareTo === undefined ? undefined : previousCases(await readJson(options.compareTo), options.compareTo);
  let providerFor: ((provider: string) => ModelProvider) | undefined;
  let judge: ReturnType<typeof createJudge> | undefined;
  if (options.live) {
    checkLiveKeys(
      ir,
      targets.map((t) => t.agent),
    );
    if (targets.some((t) => t.case.scoring === 'semantic')) judge = await liveJudge(ir);
  } else {
    const script: EvalScript = options.script === undefined ? new Map() : parseScript(await readJson(options.script), options.script);
    for (const key of unusedScriptKeys(script, targets)) process.stderr.write(`warning: ${options.script}: "${key}" names no case of this run.\n`);
    const scripted = createScriptedProvider(() => {
      const target = currentCase();
      if (!target) throw new AgentSpecError(ErrorCode.InternalError, 'The scripted model was called outside an eval case.');
      return turnsForCase(target, script);
    });
    providerFor = () => scripted;
  }

  const { composeService } = await import('../../../shared/compose/compose-service.js');
  // info logs (each tool call, each server start) would bury the table; warnings and errors still show
  const service = await composeService({ ir }, { workdir: dirname(resolve(path)), logLevel: 'warn', ...(providerFor ? { providerFor } : {}) });
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  const progress = process.stderr.isTTY && format !== 'text' ? (line: string) => process.stderr.write(`${line}\n`) : undefined;
  try {
    const report = await runEval(targets, {
      mode: options.live ? 'live' : 'scripted',
      concurrency,
      requiredPassRate: threshold,
      signal: controller.signal,
      invoke: async (agent, input, signal) => (await service.runtime.invoke(agent, { message: input, signal })).output,
      ...(judge ? { scoring: { judge } } : {}),
      ...(progress ? { onResult: (r) => progress(`${r.status} ${r.agent}/${r.name} ${r.score.toFixed(2)}`) } : {}),
    });
    for (const c of report.cases) {
      if (c.output !== undefined) c.output = service.redactor.redact(c.output);
      if (c.error !== undefined) c.error = service.redactor.redact(c.error);
    }
    const rendered = formatReport(report, format);
    if (options.output !== undefined) {
      await writeFile(options.output, rendered);
      process.stdout.write(formatReport(report, 'text'));
      process.stdout.write(`Report written to ${options.output}\n`);
    } else {
      process.stdout.write(rendered);
    }
    let regressed = false;
    if (previous) {
      const comparison = compareReports(report, previous);
      // with a machine format on stdout the comparison goes to stderr, keeping stdout parseable
      (format === 'text' || options.output !== undefined ? process.stdout : process.stderr).write(formatComparison(comparison));
      regressed = comparison.regressions.length > 0;
    }
    if (controller.signal.aborted) {
      process.stderr.write('Interrupted: the cases in flight were cancelled and the rest skipped.\n');
      return 130;
    }
    return reportSucceeded(report) && !regressed ? 0 : 1;
  } finally {
    process.off('SIGINT', onSigint);
    await service.close();
  }
}

/** The live semantic judge: the case's agent's own provider and model. */
async function liveJudge(ir: Parameters<typeof checkLiveKeys>[0]): Promise<ReturnType<typeof createJudge>> {
  const { createProviderFor, parseModel } = await import('../../../shared/llm/index.js');
  const { modelId } = await import('../../../shared/loop/compile-agent.js');
  const providers = new Map<string, ModelProvider>();
  return (args, signal) => {
    const target = currentCase();
    const attrs = target && findResource(ir, 'Agent', target.agent)?.attributes;
    if (!attrs) throw new AgentSpecError(ErrorCode.InternalError, 'The semantic judge was called outside an eval case.');
    // the provider the runtime picks for this model here (a bare id may go to Ollama or OpenAI by the environment)
    const name = parseModel(attrs.model, process.env).provider;
    let provider = providers.get(name);
    if (!provider) providers.set(name, (provider = createProviderFor(name)));
    return createJudge(provider, modelId(attrs.model, name))(args, signal);
  };
}

async function readJson(file: string): Promise<unknown> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new AgentSpecError(ErrorCode.InputError, `${file}: ${error.code === 'ENOENT' ? 'no such file' : `cannot be read (${error.code ?? error.message})`}.`);
  });
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new AgentSpecError(ErrorCode.InputError, `${file} is not JSON: ${(error as Error).message}`);
  }
}

function oneOf<T extends string>(value: string, allowed: readonly T[], flag: string): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new AgentSpecError(ErrorCode.InputError, `${flag} must be one of ${allowed.join(', ')}; got "${value}".`);
}

function integer(value: string, flag: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new AgentSpecError(ErrorCode.InputError, `${flag} must be a whole number from ${min} to ${max}; got "${value}".`);
  return n;
}

function rate(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1)
    throw new AgentSpecError(ErrorCode.InputError, `--threshold is a pass rate from 0 to 1; got "${value}".`);
  return n;
}
