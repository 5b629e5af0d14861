/**
 * The bubblewrap command line: every namespace unshared (user, mount, PID,
 * network, IPC, UTS, cgroup), a user namespace even when the runtime is root,
 * the code running as `nobody` inside it with every capability dropped,
 * system directories and the interpreter's install directory read-only, and
 * two size-capped tmpfs mounts (`/sandbox`, the working directory, and
 * `/tmp`) as the only writable places. No host directory is writable, so no
 * host path can be raced or hijacked into the sandbox. The root itself is
 * remounted read-only, so nothing of the host's working tree or home is
 * visible.
 */
import { existsSync, lstatSync, readlinkSync } from 'node:fs';

/** Inside the sandbox the working directory is always here. */
export const SANDBOX_WORKDIR = '/sandbox';
/** The uid and gid the code runs as inside its user namespace (`nobody`). */
export const SANDBOX_ID = '65534';
/** The hostname the code sees: the host's own name stays outside. */
export const SANDBOX_HOSTNAME = 'sandbox';

/** The few /etc entries interpreters read at start (dynamic loader, time zone); never all of /etc. */
const ETC_ENTRIES = ['/etc/ld.so.cache', '/etc/ld.so.conf', '/etc/ld.so.conf.d', '/etc/localtime', '/etc/alternatives'];
const TOP_LEVEL = ['/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];

function isUnder(path: string, dir: string): boolean {
  return path === dir || path.startsWith(`${dir}/`);
}

export interface BwrapOptions {
  interpreterRoots: string[];
  /** size of each of `/sandbox` and `/tmp` */
  tmpfsBytes: number;
  /** a file descriptor of the spawned process holding a compiled seccomp filter */
  seccompFd?: number | undefined;
}

/** Arguments for bwrap before the interpreter's own command line. */
export function bwrapArgs(options: BwrapOptions): string[] {
  const args = ['--unshare-all', '--unshare-user', '--uid', SANDBOX_ID, '--gid', SANDBOX_ID, '--hostname', SANDBOX_HOSTNAME];
  args.push('--die-with-parent', '--new-session', '--clearenv', '--cap-drop', 'ALL');
  if (options.seccompFd !== undefined) args.push('--seccomp', String(options.seccompFd));
  args.push('--ro-bind', '/usr', '/usr');
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
  // PID 1 of the namespace is bubblewrap's own reaper, whose command line is
  // this very list: mask it (a device node on the nodev /proc cannot be opened).
  args.push('--proc', '/proc', '--ro-bind', '/dev/null', '/proc/1/cmdline', '--dev', '/dev');
  args.push('--size', String(options.tmpfsBytes), '--tmpfs', '/tmp');
  args.push('--size', String(options.tmpfsBytes), '--tmpfs', SANDBOX_WORKDIR, '--chdir', SANDBOX_WORKDIR);
  args.push('--remount-ro', '/');
  return args;
}
