/**
 * What a stack's synth covers, and what a package needs of it. A hot swap
 * changes only the IR the functions load: the IAM policies, the files in the
 * code assets, the sandbox functions and the Lambda settings stay as the last
 * `cdk deploy` made them. `coverageGaps` names everything a new package needs
 * beyond that, so the deploy function refuses it before writing anything.
 */
import type { IRDocument } from '../../../shared/ir/types.js';

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
}

/** One thing the package needs that the synthesized stack does not give it. */
export interface CoverageGap {
  kind: 'secret' | 'file' | 'inline_language' | 'inline_limit' | 'lambda_setting';
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
    ((parsed as DeployCoverage).lambda === undefined || typeof (parsed as DeployCoverage).lambda === 'object');
  if (!ok) throw new Error('not a coverage document: {secrets: string[], files: string[], sandboxes?, lambda?}');
  return parsed as DeployCoverage;
}

/** Everything `ir` needs beyond `coverage`, in a stable order; empty when the package fits the stack. */
export function coverageGaps(ir: IRDocument, coverage: DeployCoverage): CoverageGap[] {
  return [...secretGaps(ir, coverage), ...fileGaps(ir, coverage), ...inlineGaps(ir, coverage), ...lambdaGaps(ir, coverage)];
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
 * into the assets, the sandbox functions (if any) and the lambda deploy block.
 */
export function deployCoverage(input: {
  storeSecrets: readonly string[];
  files: readonly string[];
  sandboxes?: DeployCoverage['sandboxes'] | undefined;
  deploy?: { name: string; attributes: object } | undefined;
}): DeployCoverage {
  const attributes = (input.deploy?.attributes ?? {}) as Partial<Record<LambdaLimitKey, string | number>>;
  const lambda: NonNullable<DeployCoverage['lambda']> = input.deploy ? { block: input.deploy.name } : {};
  for (const key of LAMBDA_LIMIT_KEYS) if (attributes[key] !== undefined) lambda[key] = attributes[key];
  return {
    secrets: [...new Set(input.storeSecrets)].sort(),
    files: [...new Set(input.files.map(normalise))].sort(),
    ...(input.sandboxes ? { sandboxes: input.sandboxes } : {}),
    lambda,
  };
}
