/**
 * The bubblewrap command line, checked as data: what is unshared, what is
 * bound read-only, the only writable host path, and what is never bound.
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
  const args = bwrapArgs({ hostWorkdir: '/var/tmp/agentspec-sandbox/run-1', interpreterRoots: ['/opt/py/3.11', '/usr/local'], tmpfsBytes: 1024 });

  it('unshares every namespace, dies with its parent and clears the environment', () => {
    expect(args).toEqual(expect.arrayContaining(['--unshare-all', '--die-with-parent', '--new-session', '--clearenv']));
    expect(args).not.toContain('--share-net');
  });

  it('binds only the working directory writable, at /sandbox, and starts there', () => {
    expect(pairs(args, '--bind')).toEqual([['/var/tmp/agentspec-sandbox/run-1', SANDBOX_WORKDIR]]);
    expect(args.join(' ')).toContain(`--chdir ${SANDBOX_WORKDIR}`);
  });

  it('binds the interpreter install read-only once, and never /etc, /root or /home as a whole', () => {
    const readOnly = pairs(args, '--ro-bind').map(([source]) => source);
    expect(readOnly).toContain('/usr');
    expect(readOnly).toContain('/opt/py/3.11');
    expect(readOnly).not.toContain('/usr/local'); // already inside /usr
    expect(readOnly.filter((dir) => ['/', '/etc', '/root', '/home'].includes(dir))).toEqual([]);
  });

  it('gives a size-capped tmpfs /tmp and remounts the root read-only last', () => {
    expect(args.join(' ')).toContain('--size 1024 --tmpfs /tmp');
    expect(args.slice(-2)).toEqual(['--remount-ro', '/']);
  });
});
