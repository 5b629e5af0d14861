/**
 * The bubblewrap command line, checked as data: what is unshared, who the
 * code runs as, what is bound read-only, that no host directory is writable,
 * and what is never bound.
 */
import { describe, expect, it } from 'vitest';
import { bwrapArgs, SANDBOX_WORKDIR } from '../../shared/sandbox/bwrap-args.js';

/** The [source, target] pairs following a flag such as --ro-bind. */
function pairs(args: string[], flag: string): [string, string][] {
  const out: [string, string][] = [];
  args.forEach((arg, i) => {
    if (arg === flag) out.push([args[i + 1]!, args[i + 2]!]);
  });
  return out;
}

describe('bwrapArgs', () => {
  const args = bwrapArgs({ interpreterRoots: ['/opt/py/3.11', '/usr/local'], tmpfsBytes: 1024 });
  const line = args.join(' ');

  it('unshares every namespace, a user namespace even as root, dies with its parent and clears the environment', () => {
    expect(args).toEqual(expect.arrayContaining(['--unshare-all', '--unshare-user', '--die-with-parent', '--new-session', '--clearenv']));
    expect(args).not.toContain('--share-net');
  });

  it('runs the code as nobody with every capability dropped and a hostname of its own', () => {
    expect(line).toContain('--uid 65534 --gid 65534');
    expect(line).toContain('--cap-drop ALL');
    expect(line).toContain('--hostname sandbox');
  });

  it('binds no host directory writable: the working directory and /tmp are size-capped tmpfs mounts', () => {
    expect(pairs(args, '--bind')).toEqual([]);
    expect(pairs(args, '--dev-bind')).toEqual([]);
    expect(line).toContain(`--size 1024 --tmpfs /tmp`);
    expect(line).toContain(`--size 1024 --tmpfs ${SANDBOX_WORKDIR} --chdir ${SANDBOX_WORKDIR}`);
  });

  it("masks the command line of the namespace's PID 1 after mounting /proc", () => {
    expect(line).toContain('--proc /proc --ro-bind /dev/null /proc/1/cmdline');
  });

  it('binds the interpreter install read-only once, and never /etc, /root or /home as a whole', () => {
    const readOnly = pairs(args, '--ro-bind').map(([source]) => source);
    expect(readOnly).toContain('/usr');
    expect(readOnly).toContain('/opt/py/3.11');
    expect(readOnly).not.toContain('/usr/local'); // already inside /usr
    expect(readOnly.filter((dir) => ['/', '/etc', '/root', '/home'].includes(dir))).toEqual([]);
  });

  it('passes a seccomp filter descriptor only when given one, and remounts the root read-only last', () => {
    expect(args).not.toContain('--seccomp');
    expect(bwrapArgs({ interpreterRoots: [], tmpfsBytes: 1024, seccompFd: 4 }).join(' ')).toContain('--seccomp 4');
    expect(args.slice(-2)).toEqual(['--remount-ro', '/']);
  });
});
