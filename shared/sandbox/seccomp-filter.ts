/**
 * The seccomp filter bubblewrap loads before the interpreter starts: a deny
 * list of the system calls that reach kernel surface inline code never needs
 * (mounts, namespaces, kernel modules and keyrings, tracing other processes,
 * BPF, io_uring, terminal injection). It is compiled by libseccomp through
 * its official Python binding (Debian's `python3-seccomp`), run once per
 * sandbox by the system's own python; where that binding is absent the
 * sandbox runs without the filter and says so (`isolation.seccomp: false`).
 */
import { execFileSync, type ExecFileSyncOptions } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Calls refused with EPERM. */
export const DENIED_SYSCALLS = [
  'mount',
  'umount2',
  'pivot_root',
  'chroot',
  'move_mount',
  'open_tree',
  'fsopen',
  'fsconfig',
  'fsmount',
  'fspick',
  'mount_setattr',
  'unshare',
  'setns',
  'init_module',
  'finit_module',
  'delete_module',
  'kexec_load',
  'kexec_file_load',
  'reboot',
  'swapon',
  'swapoff',
  'acct',
  'keyctl',
  'add_key',
  'request_key',
  'ptrace',
  'process_vm_readv',
  'process_vm_writev',
  'kcmp',
  'perf_event_open',
  'bpf',
  'userfaultfd',
  'fanotify_init',
  'open_by_handle_at',
  'name_to_handle_at',
  'lookup_dcookie',
  'quotactl',
  'iopl',
  'ioperm',
  'syslog',
  'settimeofday',
  'clock_settime',
  'clock_adjtime',
  'adjtimex',
  'personality',
  'vhangup',
  'uselib',
  'ustat',
  'sysfs',
  'io_uring_setup',
  'io_uring_enter',
  'io_uring_register',
] as const;

/**
 * The generator: besides the list, `clone` with CLONE_NEWUSER and the
 * TIOCSTI ioctl are refused, and `clone3` answers ENOSYS (its flags sit in
 * memory a filter cannot read, and the C library then falls back to `clone`).
 * Names this kernel's libseccomp does not know are skipped.
 */
const GENERATOR = `
import errno, sys, seccomp
f = seccomp.SyscallFilter(seccomp.ALLOW)
for name in sys.argv[1:]:
    try: f.add_rule(seccomp.ERRNO(errno.EPERM), name)
    except Exception: pass
f.add_rule(seccomp.ERRNO(errno.ENOSYS), 'clone3')
f.add_rule(seccomp.ERRNO(errno.EPERM), 'clone', seccomp.Arg(0, seccomp.MASKED_EQ, 0x10000000, 0x10000000))
f.add_rule(seccomp.ERRNO(errno.EPERM), 'ioctl', seccomp.Arg(1, seccomp.MASKED_EQ, 0xffffffff, 0x5412))
f.export_bpf(sys.stdout.buffer)
`;

/** No environment, and out of the terminal's process group (spawnSync honours `detached`), so a Ctrl-C at start-up does not cost the filter. */
const OWN_GROUP: ExecFileSyncOptions = Object.assign(
  { env: {}, timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'] as ExecFileSyncOptions['stdio'] },
  { detached: true },
);

/** The system pythons that carry Debian's `python3-seccomp`. */
const SYSTEM_PYTHONS = ['/usr/bin/python3'];

/** Compiles the filter into `dir/seccomp.bpf` (mode 0600) and returns its path, or null when libseccomp's binding is not installed. */
export function compileSeccompFilter(dir: string): string | null {
  for (const python of SYSTEM_PYTHONS) {
    try {
      const program = execFileSync(python, ['-I', '-c', GENERATOR, ...DENIED_SYSCALLS], OWN_GROUP);
      if (program.length === 0 || program.length % 8 !== 0) continue;
      const path = join(dir, 'seccomp.bpf');
      writeFileSync(path, program, { mode: 0o600, flag: 'wx' });
      return path;
    } catch {
      // not this python, or no binding: try the next
    }
  }
  return null;
}
