/**
 * Writes a small deployable package (one agent, one secret, one deploy
 * block) into a fresh temporary directory, for the deployer suites.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PackageOptions {
  target: 'process' | 'docker' | 'docker-compose' | 'kubernetes';
  port: number;
  /** changes the prompt, hence the IR hash */
  promptText?: string;
  /** extra lines inside the deploy block */
  deployLines?: string[];
  name?: string;
  /** extra top-level statements (e.g. a skill with an inline Python tool) */
  extraSource?: string;
}

/** The .ias source of the test package. */
export function packageSource(options: PackageOptions): string {
  const name = options.name ?? 'deploytest';
  return `package "${name}" version "1.0.0" lang "2.0"

secret "anthropic-key" { env(AGENTSPEC_TEST_ANTHROPIC_KEY) }

prompt "helper" {
  content "${options.promptText ?? 'You answer briefly.'}"
}

agent "echo" {
  uses prompt "helper"
  model "claude-haiku-4-5"
  max_turns 2
}

deploy "main" target "${options.target}" {
  port ${options.port}
  default true
  env {
    LOG_LEVEL "info"
  }
  secrets {
    ANTHROPIC_API_KEY "anthropic-key"
  }
${(options.deployLines ?? []).map((l) => `  ${l}`).join('\n')}
}
${options.extraSource ?? ''}`;
}

/** A temporary directory holding agents.ias; returns the file path. */
export async function writePackage(options: PackageOptions, dir?: string): Promise<string> {
  const where = dir ?? (await mkdtemp(join(tmpdir(), 'agentspec-deploy-')));
  const file = join(where, 'agents.ias');
  await writeFile(file, packageSource(options));
  return file;
}

export { freePort } from '../../helpers/free-port.js';
