/**
 * The attacker's probes, as code for the sandbox and a host-side verdict.
 * Each probe tries one way out (the runtime's secrets through /proc, the
 * runtime's API, system files, mounts, the hostname, the Docker socket,
 * namespaces, ptrace, a process that outlives its call) and prints what it
 * got; the verdict reads that output and, where the host can see it, what
 * really happened. The same probes run in-process as root and, through the
 * escape runner, as an unprivileged user.
 *
 * `destructive` probes would change the machine if they succeeded: they run
 * only after the `proof` probe has shown the sandbox is in force.
 */
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';

export type Language = 'python' | 'javascript';

/** What the host tells the probes: whose secrets to look for and where. */
export interface ProbeContext {
  /** the runtime's own pid on the host */
  hostPid: number;
  /** a value only the runtime's environment holds */
  canary: string;
  /** a TCP port the runtime listens on at 127.0.0.1 */
  apiPort: number;
  /** a unique name for files and markers of this run */
  marker: string;
}

export interface Probe {
  name: string;
  destructive?: boolean;
  /** the code, per language; python-only probes leave javascript out */
  code: Partial<Record<Language, string>>;
  env?: Record<string, string>;
  /** a problem found in the code's output (or on the host), or null when the probe was blocked */
  verdict(stdout: string): string | null;
}

/** Python: run each attempt, print `{name: outcome}` as JSON; an outcome starts with OK: when the attempt worked. */
function pythonAttempts(attempts: Record<string, string>): string {
  const body = Object.entries(attempts)
    .map(
      ([name, statement]) =>
        `try:\n    out[${JSON.stringify(name)}] = 'OK:' + str(${statement})[:200]\nexcept BaseException as e:\n    out[${JSON.stringify(name)}] = 'BLOCKED:' + type(e).__name__`,
    )
    .join('\n');
  return `import json, os, socket, ctypes, ctypes.util\nlibc = ctypes.CDLL(None, use_errno=True)\nNR = {'x86_64': {'keyctl': 250, 'bpf': 321}, 'aarch64': {'keyctl': 219, 'bpf': 280}}[os.uname().machine]\ndef c(r):\n    if r != 0: raise OSError(ctypes.get_errno(), 'failed')\n    return r\nout = {}\n${body}\nprint(json.dumps(out))`;
}

/** JavaScript: the same shape; each attempt is an expression, awaited. */
function javascriptAttempts(attempts: Record<string, string>): string {
  const body = Object.entries(attempts)
    .map(
      ([name, expression]) =>
        `  try { out[${JSON.stringify(name)}] = 'OK:' + String(await (${expression})).slice(0, 200); } catch (e) { out[${JSON.stringify(name)}] = 'BLOCKED:' + (e.code ?? e.name); }`,
    )
    .join('\n');
  return `const fs = require('fs'), net = require('net');\nconst connect = (o) => new Promise((ok, no) => { const s = net.connect(o); s.setTimeout(2000, () => { s.destroy(); no(Object.assign(new Error('t'), { code: 'TIMEOUT' })); }); s.on('connect', () => { s.destroy(); ok('connected'); }); s.on('error', no); });\n(async () => {\n  const out = {};\n${body}\n  console.log(JSON.stringify(out));\n})();`;
}

/** Every attempt of a probe's JSON output that worked, or null. */
function worked(stdout: string): string | null {
  let outcomes: Record<string, string>;
  try {
    outcomes = JSON.parse(stdout) as Record<string, string>;
  } catch {
    return `unreadable output: ${stdout.slice(0, 300)}`;
  }
  const open = Object.entries(outcomes).filter(([, outcome]) => outcome.startsWith('OK:'));
  return open.length > 0 ? `worked: ${JSON.stringify(Object.fromEntries(open))}` : null;
}

function mountCount(): number {
  return readFileSync('/proc/self/mountinfo', 'utf8').split('\n').length;
}

/** The probes of one run. */
export function escapeProbes(ctx: ProbeContext): Probe[] {
  const parentProc = `/proc/${ctx.hostPid}`;
  const mountsBefore = mountCount();
  const hostName = hostname();
  const usrFile = `/usr/escape-${ctx.marker}`;
  return [
    {
      name: 'proof: the code runs as nobody in its own namespaces, without capabilities, under seccomp',
      code: {
        python: `import json, os\nstatus = dict(l.split(':', 1) for l in open('/proc/self/status').read().splitlines() if ':' in l)\nprint(json.dumps({'uid': os.getuid(), 'cap': status['CapEff'].strip(), 'seccomp': status['Seccomp'].strip(), 'hostname': os.uname().nodename, 'pid_max_seen': max(int(p) for p in os.listdir('/proc') if p.isdigit())}))`,
        javascript: `const fs = require('fs'), os = require('os'); const status = Object.fromEntries(fs.readFileSync('/proc/self/status', 'utf8').split('\\n').filter((l) => l.includes(':')).map((l) => [l.split(':')[0], l.slice(l.indexOf(':') + 1).trim()])); console.log(JSON.stringify({ uid: process.getuid(), cap: status.CapEff, seccomp: status.Seccomp, hostname: os.hostname(), pid_max_seen: Math.max(...fs.readdirSync('/proc').filter((p) => /^\\d+$/.test(p)).map(Number)) }));`,
      },
      verdict(stdout) {
        const seen = JSON.parse(stdout) as { uid: number; cap: string; seccomp: string; hostname: string; pid_max_seen: number };
        const problems = [
          seen.uid !== 65534 && `uid ${seen.uid}`,
          !/^0+$/.test(seen.cap) && `capabilities ${seen.cap}`,
          seen.seccomp !== '2' && `seccomp mode ${seen.seccomp}`,
          seen.hostname !== 'sandbox' && `hostname ${seen.hostname}`,
          seen.pid_max_seen > 50 && `sees pid ${seen.pid_max_seen}: not its own PID namespace`,
        ].filter(Boolean);
        return problems.length > 0 ? problems.join(', ') : null;
      },
    },
    {
      name: "the runtime's secrets through /proc (environ, mem, cmdline of the parent and of every visible process)",
      code: {
        python: pythonAttempts({
          parent_environ: `open('${parentProc}/environ', 'rb').read()`,
          parent_mem: `open('${parentProc}/mem', 'rb').read(16)`,
          canary_anywhere: `[p for p in os.listdir('/proc') if p.isdigit() and any(${JSON.stringify(ctx.canary)}.encode() in open('/proc/%s/%s' % (p, f), 'rb').read() for f in ('environ', 'cmdline'))] or 1/0`,
        }),
        javascript: javascriptAttempts({
          parent_environ: `fs.readFileSync('${parentProc}/environ')`,
          parent_mem: `fs.readFileSync('${parentProc}/mem')`,
          canary_anywhere: `(() => { const hits = fs.readdirSync('/proc').filter((p) => /^\\d+$/.test(p)).filter((p) => ['environ', 'cmdline'].some((f) => { try { return fs.readFileSync('/proc/' + p + '/' + f, 'latin1').includes(${JSON.stringify(ctx.canary)}); } catch { return false; } })); if (!hits.length) throw Object.assign(new Error(), { code: 'NONE' }); return hits; })()`,
        }),
      },
      verdict: (stdout) => worked(stdout) ?? (stdout.includes(ctx.canary) ? 'the canary is in the output' : null),
    },
    {
      name: "the runtime's own API, the Docker socket and the network",
      code: {
        python: pythonAttempts({
          runtime_api: `socket.create_connection(('127.0.0.1', ${ctx.apiPort}), timeout=2)`,
          docker_socket: `socket.socket(socket.AF_UNIX).connect('/var/run/docker.sock')`,
          lambda_extension: `socket.create_connection(('127.0.0.1', 2773), timeout=2)`,
        }),
        javascript: javascriptAttempts({
          runtime_api: `connect({ host: '127.0.0.1', port: ${ctx.apiPort} })`,
          docker_socket: `connect({ path: '/var/run/docker.sock' })`,
          lambda_extension: `connect({ host: '127.0.0.1', port: 2773 })`,
        }),
      },
      verdict: worked,
    },
    {
      name: 'system files: /etc/shadow, the host root, the pid 1 command line and mount table',
      code: {
        python: pythonAttempts({
          shadow: `open('/etc/shadow').read()`,
          host_etc_hostname: `open('/etc/hostname').read()`,
          pid1_cmdline: `open('/proc/1/cmdline', 'rb').read() or 1/0`,
          host_path_in_mounts: `[l for l in open('/proc/self/mountinfo') if 'agentspec-sandbox' in l or '/tmp' in l.split()[3]] or 1/0`,
        }),
        javascript: javascriptAttempts({
          shadow: `fs.readFileSync('/etc/shadow', 'utf8')`,
          host_etc_hostname: `fs.readFileSync('/etc/hostname', 'utf8')`,
          pid1_cmdline: `(() => { const t = fs.readFileSync('/proc/1/cmdline'); if (!t.length) throw Object.assign(new Error(), { code: 'EMPTY' }); return t; })()`,
          host_path_in_mounts: `(() => { const l = fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\\n').filter((l) => l.includes('agentspec-sandbox') || (l.split(' ')[3] ?? '').startsWith('/tmp')); if (!l.length) throw Object.assign(new Error(), { code: 'NONE' }); return l; })()`,
        }),
      },
      verdict: worked,
    },
    {
      name: 'kernel surface: new namespaces, ptrace, keyrings, bpf (refused by capabilities and the seccomp filter)',
      code: {
        python: pythonAttempts({
          unshare_user: `c(libc.unshare(0x10000000))`,
          unshare_mount: `c(libc.unshare(0x00020000))`,
          ptrace_attach_pid1: `c(libc.ptrace(16, 1, 0, 0))`,
          keyctl: `c(libc.syscall(NR['keyctl'], 0, 0, 0, 0))`,
          bpf: `c(libc.syscall(NR['bpf'], 0, 0, 0))`,
        }),
      },
      verdict: worked,
    },
    {
      name: 'mounting over system paths and renaming the host (run only once isolation is proven)',
      destructive: true,
      code: {
        python: pythonAttempts({
          mount_tmpfs_over_usr: `c(libc.mount(b'tmpfs', b'/usr', b'tmpfs', 0, None))`,
          mount_command: `os.system('/usr/bin/mount -t tmpfs none /usr 2>/dev/null') == 0 or 1/0`,
          sethostname: `c(libc.sethostname(b'pwned', 5))`,
          write_usr: `open('${usrFile}', 'w').write('x')`,
        }),
        javascript: javascriptAttempts({
          write_usr: `fs.writeFileSync('${usrFile}', 'x')`,
          mount_command: `require('child_process').execFileSync('/usr/bin/mount', ['-t', 'tmpfs', 'none', '/usr'], { stdio: 'ignore' })`,
        }),
      },
      verdict(stdout) {
        const host = [
          existsSync(usrFile) && `${usrFile} exists on the host`,
          hostname() !== hostName && `the host is now called ${hostname()}`,
          mountCount() !== mountsBefore && 'the host mount table changed',
        ].filter(Boolean);
        return [worked(stdout), ...host].filter(Boolean).join('; ') || null;
      },
    },
  ];
}

/** The code of a process that leaves the call's session and double-forks, then lives on for 30 s. */
export const DOUBLE_FORK: Record<Language, string> = {
  python: `import os, time\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n        time.sleep(30)\n    os._exit(0)\nprint('parent done')`,
  javascript: `const c = require('child_process').spawn('/bin/sh', ['-c', 'sleep 30'], { detached: true, stdio: 'ignore' }); c.unref(); console.log('parent done');`,
};
