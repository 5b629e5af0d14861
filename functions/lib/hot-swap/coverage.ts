/**
 * What a stack's synth covers, and what a package needs of it. A hot swap
 * changes only the IR the functions load: the IAM policies, the files in the
 * code assets, the sandbox functions, the model and user key secrets and the Lambda
 * settings with the provider endpoints stay as the last
 * `cdk deploy` made them. `coverageGaps` names everything a new package needs
 * beyond that, so the deploy function refuses it before writing anything.
 */
import { resourcesOf, type IRDocument } from '../../../shared/ir/types.js';
import { modelKeysNeeded } from '../../../shared/llm/model-keys.js';
import { ALWAYS_SECRET_KEY, MODEL_ENDPOINT_VARIABLES, modelEndpointEnv, ollamaAgents } from '../aws/model-keys.js';
import { stackUserKeys } from '../aws/user-keys.js';

/** The deploy function's variable holding the stack's `DeployCoverage` as JSON (set at synth). */
export const DEPLOY_COVERAGE_ENV = 'AGENTSPEC_DEPLOY_COVERAGE';

/** The Lambda settings of a `deploy … target "lambda"` block that only a `cdk deploy` applies. */
export const LAMBDA_LIMIT_KEYS = ['region', 'memory_bytes', 'timeout_ms', 'architecture', 'auth', 'reserved_concurrency', 'alarm_topic'] as const;
type LambdaLimitKey = (typeof LAMBDA_LIMIT_KEYS)[number];

export interface DeployCoverage {
  /** `store("…")` secret names the run and stream roles may read */
  secrets: string[];
  /** the package's files shipped in the run and stream assets, relative to the package folder */
  files: string[];
  /**
   * inline-tool languages that have a sandbox function, with its limits. Absent: the stack has no sandbox
   * functions, and inline tools are refused when called, whatever the package (as after a `cdk deploy`).
   */
  sandboxes?: Record<string, { timeout_ms: number; memory_bytes: number }>;
  /** the lambda deploy block the stack was synthesized from (absent: none, the defaults) and its settings */
  lambda?: { block?: string } & Partial<Record<LambdaLimitKey, string | number>>;
  /** the model key variables the stack holds a secret for (absent: Anthropic's only) */
  model_keys?: string[];
  /** the provider endpoint variables the functions were given from the deploy block's env (absent: none) */
  model_env?: Record<string, string>;
  /** the user key variables the stack holds a secret for (absent: none) */
  user_keys?: string[];
}

/** One thing the package needs that the synthesized stack does not give it. */
export interface CoverageGap {
  kind: 'secret' | 'model_key' | 'user_key' | 'file' | 'inline_language' | 'inline_limit' | 'lambda_setting';
  /** the secret name, file path, language, tool or setting */
  name: string;
  message: string;
}

/** Reads the coverage variable; `undefined` when it is not set. Throws on a value that is not a coverage document. */
export function parseCoverage(value: string | undefined): DeployCoverage | undefined {
  if (value === undefined || value === '') return undefined;
  const parsed = JSON.parse(value) as unknown;
  const ok =
    parsed !== null &&
    typeof parsed === 'object' &&
    isStringList((parsed as DeployCoverage).secrets) &&
    isStringList((parsed as DeployCoverage).files) &&
    ((parsed as DeployCoverage).sandboxes === undefined || typeof (parsed as DeployCoverage).sandboxes === 'object') &&
    ((parsed as DeployCoverage).lambda === undefined || typeof (parsed as DeployCoverage).lambda === 'object') &&
    ((parsed as DeployCoverage).model_keys === undefined || isStringList((parsed as DeployCoverage).model_keys)) &&
    ((parsed as DeployCoverage).model_env === undefined || typeof (parsed as DeployCoverage).model_env === 'object') &&
    ((parsed as DeployCoverage).user_keys === undefined || isStringList((parsed as DeployCoverage).user_keys));
  if (!ok) throw new Error('not a coverage document: {secrets: string[], files: string[], sandboxes?, lambda?}');
  return parsed as DeployCoverage;
}

/** Everything `ir` needs beyond `coverage`, in a stable order; empty when the package fits the stack. */
export function coverageGaps(ir: IRDocument, coverage: DeployCoverage): CoverageGap[] {
  return [
    ...secretGaps(ir, coverage),
    ...modelKeyGaps(ir, coverage),
    ...userKeyGaps(ir, coverage),
    ...fileGaps(ir, coverage),
    ...inlineGaps(ir, coverage),
    ...lambdaGaps(ir, coverage),
    ...modelEndpointGaps(ir, coverage),
  ];
}

function modelKeyGaps(ir: IRDocument, coverage: DeployCoverage): CoverageGap[] {
  const held = new Set(coverage.model_keys ?? [ALWAYS_SECRET_KEY]);
  return [...modelKeysNeeded(ir)]
    .filter(([variable]) => !held.has(variable))
    .map(([variable, agents]) => ({
      kind: 'model_key',
      name: variable,
      message: `The stack has no secret for ${variable}, which ${agents.map((a) => `"${a}"`).join(', ')} need.`,
    }));
}

/** A user whose key is not a `store` secret reads it from a secret the stack made: a new key variable needs a cdk deploy. */
function userKeyGaps(ir: IRDocument, coverage: DeployCoverage): CoverageGap[] {
  const held = new Set(coverage.user_keys ?? []);
  return stackUserKeys(ir)
    .filter((variable) => !held.has(variable))
    .map((variable) => {
      const users = resourcesOf(ir, 'User').filter((user) => user.attributes.key === variable);
      return {
        kind: 'user_key',
        name: variable,
        message: `The stack has no secret for ${variable}, the key of ${users.map((u) => `user "${u.name}"`).join(', ')}.`,
      };
    });
}

/** The provider endpoints are the functions' environment: one the package's lambda block sets otherwise, or an Ollama agent without OLLAMA_HOST, needs a cdk deploy. */
function modelEndpointGaps(ir: IRDocument, coverage: DeployCoverage): CoverageGap[] {
  const synthesized = coverage.model_env ?? {};
  const blocks = resourcesOf(ir, 'Deploy').filter((r) => r.attributes.target === 'lambda');
  const named = coverage.lambda?.block;
  // a block that disappeared is already a lambda_setting gap
  const compared = named === undefined ? blocks : blocks.filter((b) => b.name === named);
  const gaps: CoverageGap[] = [];
  for (const block of compared) {
    const wanted = modelEndpointEnv(block);
    for (const variable of MODEL_ENDPOINT_VARIABLES) {
      if (wanted[variable] === synthesized[variable]) continue;
      gaps.push({
        kind: 'lambda_setting',
        name: variable,
        message: `deploy "${block.name}" sets ${variable} to ${wanted[variable] ?? 'nothing'}; the functions have ${synthesized[variable] ?? 'none'}.`,
      });
    }
  }
  const ollama = synthesized.OLLAMA_HOST ? [] : ollamaAgents(ir);
  if (ollama.length && !gaps.some((gap) => gap.name === 'OLLAMA_HOST'))
    gaps.push({
      kind: 'lambda_setting',
      name: 'OLLAMA_HOST',
      message: `${ollama.map((a) => `"${a}"`).join(', ')} call Ollama, and the functions have no OLLAMA_HOST.`,
    });
  return gaps;
}

function secretGaps(ir: IRDocument, coverage: DeployCoverage): CoverageGap[] {
  const readable = new Set(coverage.secrets);
  const needed = new Set<string>();
  for (const r of ir.resources) if (r.kind === 'Secret' && r.attributes.source === 'store') needed.add(r.attributes.key);
  return [...needed]
    .filter((name) => !readable.has(name))
    .map((name) => ({ kind: 'secret', name, message: `The functions' roles may not read the secret "${name}".` }));
}

/** File-like: a relative path with a folder, or a name ending in a file extension (`server.mjs`, `data/x.json`). */
const FILE_LIKE = /^(?![-/])(?![a-z][a-z0-9+.-]*:)(?:[^\s]*\/[^\s]+|[^\s/]*[A-Za-z_-][^\s/]*\.[A-Za-z][A-Za-z0-9]{0,5})$/;

/** The package files `ir` names: stdio servers' commands and arguments, and command tools' binaries, that look like relative paths. */
export function referencedFilesOf(ir: IRDocument): string[] {
  const named: string[] = [];
  for (const r of ir.resources) {
    if (r.kind === 'Server' && r.attributes.transport === 'stdio') named.push(...(r.attributes.command ? [r.attributes.command] : []), ...r.attributes.args);
    if (r.kind === 'Skill' && r.attributes.tool.type === 'command') named.push(r.attributes.tool.binary, ...r.attributes.tool.args);
  }
  const files = named.filter((value) => FILE_LIKE.test(value) && !value.split('/').includes('..')).map(normalise);
  return [...new Set(files)].sort();
}

function normalise(path: string): string {
  return path.replace(/^(\.\/)+/, '').replace(/\/+/g, '/');
}

function fileGaps(ir: IRDocument, coverage: DeployCoverage): CoverageGap[] {
  const shipped = coverage.files.map(normalise);
  // a referenced folder ships as the files under it
  const covered = (path: string) => shipped.some((file) => file === path || file.startsWith(`${path.replace(/\/$/, '')}/`));
  return referencedFilesOf(ir)
    .filter((file) => !covered(file))
    .map((file) => ({ kind: 'file', name: file, message: `The file "${file}" is not in the functions' code assets.` }));
}

function inlineGaps(ir: IRDocument, coverage: DeployCoverage): CoverageGap[] {
  if (coverage.sandboxes === undefined) return [];
  const gaps: CoverageGap[] = [];
  const missingLanguages = new Set<string>();
  for (const r of ir.resources) {
    if (r.kind !== 'Skill' || r.attributes.tool.type !== 'inline') continue;
    const { language, timeout_ms, memory_bytes } = r.attributes.tool;
    const sandbox = coverage.sandboxes?.[language];
    if (!sandbox) {
      missingLanguages.add(language);
      continue;
    }
    if (timeout_ms > sandbox.timeout_ms)
      gaps.push({
        kind: 'inline_limit',
        name: r.name,
        message: `The tool "${r.name}" needs ${timeout_ms} ms; the ${language} sandbox allows ${sandbox.timeout_ms} ms.`,
      });
    if (memory_bytes > sandbox.memory_bytes)
      gaps.push({
        kind: 'inline_limit',
        name: r.name,
        message: `The tool "${r.name}" needs ${memory_bytes} bytes of memory; the ${language} sandbox has ${sandbox.memory_bytes}.`,
      });
  }
  const languages = [...missingLanguages]
    .sort()
    .map((language): CoverageGap => ({ kind: 'inline_language', name: language, message: `There is no sandbox function for inline ${language} tools.` }));
  return [...languages, ...gaps];
}

function lambdaGaps(ir: IRDocument, coverage: DeployCoverage): CoverageGap[] {
  const synthesized = coverage.lambda ?? {};
  const blocks = ir.resources.filter((r) => r.kind === 'Deploy' && r.attributes.target === 'lambda');
  const block = synthesized.block === undefined ? undefined : blocks.find((b) => b.name === synthesized.block);
  if (synthesized.block !== undefined && !block)
    return [
      {
        kind: 'lambda_setting',
        name: synthesized.block,
        message: `The stack was synthesized from deploy "${synthesized.block}", which the package no longer has.`,
      },
    ];
  // no block at synth: the stack used the defaults, so no lambda block of the package may set one
  const compared = block ? [block] : blocks;
  const gaps: CoverageGap[] = [];
  for (const b of compared) {
    const attributes = b.attributes as Partial<Record<LambdaLimitKey, string | number>>;
    for (const key of LAMBDA_LIMIT_KEYS) {
      if (attributes[key] === synthesized[key]) continue;
      gaps.push({
        kind: 'lambda_setting',
        name: key,
        message: `deploy "${b.name}" sets ${key} to ${String(attributes[key] ?? 'its default')}; the stack has ${String(synthesized[key] ?? 'the default')}.`,
      });
    }
  }
  return gaps;
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

/**
 * The coverage document a stack sets on its deploy function, from what the
 * synth used: the package's `store` secret names, the package files copied
 * into the assets, the sandbox functions (if any), the lambda deploy block,
 * the model and user keys with a secret and the provider endpoints given.
 */
export function deployCoverage(input: {
  storeSecrets: readonly string[];
  files: readonly string[];
  sandboxes?: DeployCoverage['sandboxes'] | undefined;
  deploy?: { name: string; attributes: object } | undefined;
  /** the model key variables the stack holds a secret for */
  modelKeys?: readonly string[] | undefined;
  /** the provider endpoint variables given to the functions */
  modelEndpoints?: Record<string, string> | undefined;
  /** the user key variables the stack holds a secret for */
  userKeys?: readonly string[] | undefined;
}): DeployCoverage {
  const attributes = (input.deploy?.attributes ?? {}) as Partial<Record<LambdaLimitKey, string | number>>;
  const lambda: NonNullable<DeployCoverage['lambda']> = input.deploy ? { block: input.deploy.name } : {};
  for (const key of LAMBDA_LIMIT_KEYS) if (attributes[key] !== undefined) lambda[key] = attributes[key];
  return {
    secrets: [...new Set(input.storeSecrets)].sort(),
    files: [...new Set(input.files.map(normalise))].sort(),
    ...(input.sandboxes ? { sandboxes: input.sandboxes } : {}),
    lambda,
    ...(input.modelKeys ? { model_keys: [...new Set(input.modelKeys)].sort() } : {}),
    ...(input.modelEndpoints && Object.keys(input.modelEndpoints).length ? { model_env: input.modelEndpoints } : {}),
    ...(input.userKeys?.length ? { user_keys: [...new Set(input.userKeys)].sort() } : {}),
  };
}
