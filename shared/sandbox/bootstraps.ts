/**
 * The code a warm interpreter runs while it waits. Protocol, on stdin: one
 * line with the byte length of a JSON header, then the header
 * `{code, env, limits}`; everything after it is the tool input, left unread
 * for the user code. Reading exactly the header's bytes (never a buffered
 * read) is what keeps the tool input intact.
 *
 * fd 3 is the status channel: the bootstrap writes `R` when it is ready for
 * code, and `S<exit status>\n` once the code is finished and its output
 * flushed, so the host can end the call without waiting for the interpreter's
 * teardown (see status-channel.ts). Paths that cannot report after their last
 * output (an uncaught javascript exception: node prints it after the 'exit'
 * handlers; os._exit or a signal in the code) report nothing, and the host
 * waits for the process to exit as before.
 */

/** Limits the python bootstrap sets on itself before running user code (bytes, seconds, count). */
export interface BootstrapLimits {
  as?: number;
  cpu?: number;
  nproc?: number;
  fsize?: number;
}

/** The header written before the tool input. */
export interface BootstrapHeader {
  code: string;
  env: Record<string, string>;
  limits: BootstrapLimits;
}

/** Encodes the header for python and javascript: a length line, then the JSON bytes. */
export function encodeHeader(header: BootstrapHeader): Buffer {
  const body = Buffer.from(JSON.stringify(header), 'utf8');
  return Buffer.concat([Buffer.from(`${body.length}\n`, 'ascii'), body]);
}

/**
 * Encodes the header for bash, which has no JSON parser: NUL-terminated
 * fields (the code, the four limits in the units of `ulimit` — KiB for
 * memory and file size — the number of env entries, then each name and
 * value). bash's `read` takes a pipe one byte at a time, so it stops exactly
 * at the header's end. The caller has refused NUL in the code and the env.
 */
export function encodeBashHeader(header: BootstrapHeader): Buffer {
  const { as, cpu, nproc, fsize } = header.limits;
  const kib = (bytes: number | undefined) => (bytes === undefined ? '' : String(Math.max(1, Math.floor(bytes / 1024))));
  const entries = Object.entries(header.env);
  const fields = [header.code, kib(as), cpu === undefined ? '' : String(cpu), nproc === undefined ? '' : String(nproc), kib(fsize), String(entries.length)];
  for (const [name, value] of entries) fields.push(name, value);
  return Buffer.from(fields.map((field) => `${field}\0`).join(''), 'utf8');
}

/** Python lowers its own rlimits (a lower limit needs no privilege), so one pool serves every memory size. */
export const PYTHON_BOOTSTRAP = String.raw`
import os, sys, json, resource, atexit, traceback
def _read(n):
    b = b''
    while len(b) < n:
        c = os.read(0, n - len(b))
        if not c: os._exit(70)
        b += c
    return b
# The first compile() of a process costs ~2 ms (the compiler's one-time
# set-up); pay it while waiting, not in the call.
compile('def _f(a):\n    return [f"{x}" for x in a]\nclass _C: pass\n', '<warm>', 'exec')
try:
    os.write(3, b'R')
except OSError:
    pass
_n = b''
while True:
    _c = os.read(0, 1)
    if not _c: os._exit(70)
    if _c == b'\n': break
    _n += _c
_h = json.loads(_read(int(_n)))
for _name, _key in (('RLIMIT_AS', 'as'), ('RLIMIT_CPU', 'cpu'), ('RLIMIT_NPROC', 'nproc'), ('RLIMIT_FSIZE', 'fsize')):
    _v = _h['limits'].get(_key)
    if _v is None: continue
    _r = getattr(resource, _name)
    _soft, _hard = resource.getrlimit(_r)
    if _hard != resource.RLIM_INFINITY: _v = min(_v, _hard)
    resource.setrlimit(_r, (_v, _v))
os.environ.clear()
os.environ.update(_h['env'])
sys.argv = ['inline.py']
_code = compile(_h['code'], 'inline.py', 'exec')
del _h
_status = 0
try:
    exec(_code, {'__name__': '__main__', '__builtins__': __builtins__, '__file__': 'inline.py'})
except SystemExit as e:
    if e.code is None: _status = 0
    elif isinstance(e.code, int): _status = e.code & 0xFF
    else: sys.stderr.write(str(e.code) + '\n'); _status = 1
except BaseException as e:
    traceback.print_exception(type(e), e, e.__traceback__.tb_next)
    _status = 1
# Exit like python would (threads joined, atexit run, buffers flushed) but skip
# the interpreter's teardown: it costs more than the code's own run time.
try:
    if 'threading' in sys.modules: sys.modules['threading']._shutdown()
    atexit._run_exitfuncs()
except BaseException:
    traceback.print_exc()
    _status = _status or 1
for _stream in (sys.stdout, sys.stderr):
    try: _stream.flush()
    except BaseException: _status = _status or 120
try:
    os.write(3, b'S%d\n' % (_status & 0xFF))
except OSError:
    pass
os._exit(_status)
`;

/** Node's memory is fixed at spawn (--max-old-space-size and the address-space limit), so node pools per memory size. */
export const NODE_BOOTSTRAP = String.raw`
const fs = require('node:fs'), vm = require('node:vm'), Module = require('node:module'), path = require('node:path');
// Pay now, while waiting, for what the first call would otherwise pay: the
// stdout/stderr handles, console's stream binding, the compiler path, require.
const filename = path.join(process.cwd(), 'inline.js');
const localRequire = Module.createRequire(filename);
process.stdout.write('');
process.stderr.write('');
// stdout and stderr are sockets here, written asynchronously once their buffer
// is full: a process.exit() would drop the queued rest. Blocking writes make
// every write complete before the next line of code, so the output is whole
// by the time the status is reported.
for (const stream of [process.stdout, process.stderr]) stream._handle?.setBlocking?.(true);
vm.compileFunction('return 0', []);
// console.log's first call compiles its formatting and writing paths (~1 ms).
// Run them into a sink through console's own stream slots, then put the real
// streams back (console keeps the first stream it is given, so never swap
// process.stdout itself).
{
  const sink = new (require('node:stream').Writable)({ write: (chunk, encoding, done) => done() });
  console._stdout = sink;
  console._stderr = sink;
  console.log('%s %d %j', 'warm', 1, { a: [1] }, [2], null);
  console.error('warm');
  console._stdout = process.stdout;
  console._stderr = process.stderr;
}
try { fs.writeSync(3, 'R'); } catch {}
const one = Buffer.alloc(1);
let line = '';
for (;;) {
  if (fs.readSync(0, one, 0, 1, null) === 0) process.exit(70);
  if (one[0] === 10) break;
  line += String.fromCharCode(one[0]);
}
const size = Number(line), body = Buffer.alloc(size);
for (let off = 0; off < size; ) {
  const n = fs.readSync(0, body, off, size - off, null);
  if (n === 0) process.exit(70);
  off += n;
}
const header = JSON.parse(body.toString('utf8'));
for (const key of Object.keys(process.env)) delete process.env[key];
Object.assign(process.env, header.env);
const fn = vm.compileFunction(header.code, ['exports', 'require', 'module', '__filename', '__dirname'], { filename });
const mod = new Module(filename);
mod.filename = filename;
// Once the event loop is empty, exit at once rather than through the full
// isolate teardown; stdout and stderr pipes are synchronous on Linux, so nothing is lost.
process.once('beforeExit', (code) => process.exit(code));
// process.exit (ours above, or the code's own) calls process.reallyExit after
// every 'exit' handler has run: the last moment the code can write, so the
// status goes out there (node keeps that hook working: test-process-really-exit;
// were it ever bypassed, no status is sent and the host waits for the exit). A fatal uncaught exception never gets there (node
// prints it after the 'exit' handlers, then exits natively); the flag guards
// an 'exit' handler calling process.exit on that path.
let fatal = false;
process.on('uncaughtExceptionMonitor', () => { if (process.listenerCount('uncaughtException') === 0) fatal = true; });
const reallyExit = process.reallyExit;
process.reallyExit = function (code) {
  if (!fatal) try { fs.writeSync(3, 'S' + (Number(code) & 0xff) + '\n'); } catch {}
  return reallyExit.call(process, code);
};
fn.call(mod.exports, mod.exports, localRequire, mod, filename, path.dirname(filename));
`;

/**
 * bash waits in `read` for its header, lowers its limits (`ulimit` sets
 * soft and hard; where the hard limit is already lower, it keeps that one)
 * and runs the code in a child bash started by `env -i` with exactly the
 * request's environment, fd 3 closed (the code cannot fake a status), the
 * rest of stdin (the tool input) and `inline.sh` as `$0`. bash reports a
 * child's death by signal n as status 128+n and cannot tell it from
 * `exit 128+n`: such a status is not reported; the bootstrap ends itself
 * with that signal (a signal that stops rather than ends a process excepted:
 * then it exits with the status, which under bubblewrap reads the same), so
 * the host sees the signal death it would see from python or node.
 */
export const BASH_BOOTSTRAP = String.raw`
_r() { IFS= read -r -d '' "$1" || exit 70; }
_lim() { [ -z "$2" ] && return 0; ulimit -SH "$1" "$2" 2>/dev/null || ulimit -S "$1" "$(ulimit -H "$1")" || exit 70; }
{ printf R >&3; } 2>/dev/null
_r _c; _r _as; _r _cpu; _r _np; _r _fs; _r _n
_e=()
while [ "$_n" -gt 0 ]; do _r _k; _r _v; _e+=("$_k=$_v"); _n=$((_n - 1)); done
_lim -v "$_as"; _lim -t "$_cpu"; _lim -u "$_np"; _lim -f "$_fs"
env -i -- "${'${_e[@]}'}" "$BASH" --norc --noprofile -c "$_c" inline.sh 3>&-
_s=$?
if [ "$_s" -gt 128 ]; then
  _g=$(kill -l "$_s" 2>/dev/null)
  case "$_g" in STOP|TSTP|TTIN|TTOU|'') ;; *) kill -s "$_g" "$$" ;; esac
  exit "$_s"
fi
{ printf 'S%d\n' "$_s" >&3; } 2>/dev/null
exit "$_s"
`;
