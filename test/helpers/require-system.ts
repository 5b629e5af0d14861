/**
 * Suites that use a real system part (docker, redis-server, bwrap, chromium)
 * call this in `beforeAll`: a missing part fails the suite loudly with the
 * command that provisions it, never skips it.
 */
import { execFileSync } from 'node:child_process';

export function requireCommand(command: string, hint = 'run `bash scripts/provision.sh` as root'): string {
  try {
    return execFileSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error(`This suite needs \`${command}\`, which is not installed: ${hint}.`);
  }
}
