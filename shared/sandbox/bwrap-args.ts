/**
 * The bubblewrap command line: every namespace unshared (user, mount, PID,
 * network, IPC, UTS, cgroup), system directories and the interpreter's install
 * directory read-only, a small tmpfs /tmp, and the per-process working
 * directory as the only writable host path. The root itself is remounted
 * read-only, so nothing of the host's working tree or home is visible.
 */
import { existsSync, lstatSync, readlinkSync } from 'node:fs';

/** Inside the sandbox the working directory is always here. */
export const SANDBOX_WORKDIR = '/sandbox';

/** The few /etc entries interpreters read at start (dynamic loader, time zone); never all of /etc. */
const ETC_ENTRIES = ['/etc/ld.so.cache', '/etc/ld.so.conf', '/etc/ld.so.conf.d', '/etc/localtime', '/etc/alternatives'];
const TOP_LEVEL = ['/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];

function isUnder(path: string, dir: string): boolean {
  return path === dir || path.startsWith(`${dir}/`);
}

/** Arguments for bwrap before the interpreter's own command line. */
export function bwrapArgs(options: { hostWorkdir: string; interpreterRoots: string[]; tmpfsBytes: number }): string[] {
  const args = ['--unshare-all', '--die-with-parent', '--new-session', '--clearenv', '--ro-bind', '/usr', '/usr'];
  for (const dir of TOP_LEVEL) {
    if (!existsSync(dir)) continue;
    // On merged-/usr systems these are symlinks; recreate them rather than binding twice.
    if (lstatSync(dir).isSymbolicLink()) args.push('--symlink', readlinkSync(dir), dir);
    else args.push('--ro-bind', dir, dir);
  }
  for (const entry of ETC_ENTRIES) if (existsSync(entry)) args.push('--ro-bind', entry, entry);
  const bound = ['/usr', ...TOP_LEVEL];
  for (const root of options.interpreterRoots) {
    if (bound.some((dir) => isUnder(root, dir))) continue;
    args.push('--ro-bind', root, root);
    bound.push(root);
  }
  args.push('--proc', '/proc', '--dev', '/dev');
  args.push('--size', String(options.tmpfsBytes), '--tmpfs', '/tmp');
  args.push('--bind', options.hostWorkdir, SANDBOX_WORKDIR, '--chdir', SANDBOX_WORKDIR);
  args.push('--remount-ro', '/');
  return args;
}
