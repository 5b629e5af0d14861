/**
 * The package a synth deploys: compiled with the language toolchain at synth
 * time (no runtime code), its IR written beside the cloud assembly to be
 * bundled into the functions, and its `deploy … target "lambda"` block read
 * for region, memory, timeout and architecture.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { compile, renderDiagnostic } from '../shared/lang/index.js';
import { resourcesOf, type IRDeploy, type IRDocument } from '../shared/ir/types.js';
import type { LambdaSettings } from './agentspec-stack.js';
import { definedOnly } from '../shared/defined.js';

export const DEFAULT_PACKAGE = 'examples/support/agents.ias';

export interface PackageSource {
  ir: IRDocument;
  irFile: string;
  irDigest: string;
  packageDir: string;
  deploy?: IRDeploy | undefined;
  lambda: LambdaSettings;
  region?: string | undefined;
  /** names of `store("…")` secrets the functions must be allowed to read */
  storeSecrets: string[];
}

export interface PackageSourceOptions {
  /** package file, relative to `projectRoot` or absolute */
  packagePath: string;
  projectRoot: string;
  /** where to write the IR JSON */
  outDir: string;
  /** name of the deploy block to use (default: the default lambda block, else the first) */
  target?: string | undefined;
  /** environment overlay */
  env?: string | undefined;
}

/** Compiles the package and reads its Lambda settings; throws with rendered diagnostics when invalid. */
export function loadPackageSource(options: PackageSourceOptions): PackageSource {
  const file = resolve(options.projectRoot, options.packagePath);
  const source = readFileSync(file, 'utf8');
  const { ir, diagnostics } = compile(source, { file: basename(file), ...(options.env ? { env: options.env } : {}) });
  if (!ir) {
    const rendered = diagnostics.filter((d) => d.severity === 'error').map((d) => renderDiagnostic(d, source));
    throw new Error(`The package ${options.packagePath} is invalid:\n${rendered.join('\n')}`);
  }
  return packageSourceFromIR(ir, { packageDir: dirname(file), outDir: options.outDir, deploy: pickLambdaDeploy(ir, options.target) });
}

/** The same from an IR already compiled (the `agentspec apply` path). */
export function packageSourceFromIR(ir: IRDocument, options: { packageDir: string; outDir: string; deploy?: IRDeploy | undefined }): PackageSource {
  const { deploy } = options;
  const body = JSON.stringify(ir);
  const irDigest = createHash('sha256').update(body, 'utf8').digest('hex');
  mkdirSync(options.outDir, { recursive: true });
  const irFile = join(options.outDir, `ir-${irDigest}.json`);
  writeFileSync(irFile, body);
  const storeSecrets = resourcesOf(ir, 'Secret')
    .filter((s) => s.attributes.source === 'store')
    .map((s) => s.attributes.key);
  return { ir, irFile, irDigest, packageDir: options.packageDir, deploy, lambda: lambdaSettings(deploy), region: deploy?.attributes.region, storeSecrets };
}

/** The named lambda deploy block, or the default one, or the first. */
export function pickLambdaDeploy(ir: IRDocument, target?: string): IRDeploy | undefined {
  const blocks = resourcesOf(ir, 'Deploy').filter((d) => d.attributes.target === 'lambda');
  if (target !== undefined) {
    const named = blocks.find((d) => d.name === target);
    if (!named)
      throw new Error(`The package has no deploy "${target}" target "lambda" block (lambda blocks: ${blocks.map((b) => b.name).join(', ') || 'none'}).`);
    return named;
  }
  return blocks.find((d) => d.attributes.default) ?? blocks[0];
}

/** Memory in MB, timeout in seconds, architecture, auth, reserved concurrency and alarm topic from a deploy block, with Lambda-friendly defaults. */
export function lambdaSettings(deploy: IRDeploy | undefined): LambdaSettings {
  const a = deploy?.attributes;
  const memoryMb = a?.memory_bytes ? Math.round(a.memory_bytes / (1024 * 1024)) : 1024;
  const timeoutSeconds = a?.timeout_ms ? Math.ceil(a.timeout_ms / 1000) : 300;
  if (memoryMb < 128 || memoryMb > 10240) throw new Error(`Lambda memory must be between 128 MiB and 10240 MiB, not ${memoryMb} MiB.`);
  if (timeoutSeconds < 1 || timeoutSeconds > 900) throw new Error(`Lambda timeout must be between 1 s and 900 s, not ${timeoutSeconds} s.`);
  const arch = (a?.architecture ?? 'arm64').toLowerCase();
  const architecture: LambdaSettings['architecture'] | undefined =
    arch === 'x86_64' || arch === 'amd64' || arch === 'x86' ? 'x86_64' : arch === 'arm64' || arch === 'aarch64' ? 'arm64' : undefined;
  if (!architecture) throw new Error(`Unknown Lambda architecture "${a?.architecture}" (use arm64 or x86_64).`);
  return definedOnly({
    memoryMb,
    timeoutSeconds,
    architecture,
    auth: a?.auth ?? 'api-key',
    reservedConcurrency: a?.reserved_concurrency,
    alarmTopic: a?.alarm_topic,
  });
}
