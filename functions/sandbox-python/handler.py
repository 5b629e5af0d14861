"""The Python sandbox function (Lambda python3.13, handler `handler.handler`).

The run and stream functions invoke it with one inline-code call:
{language, code, stdin, env, timeout_ms, memory_bytes}. Each call runs in a
fresh `python3 -I -S -X utf8` child (no site-packages, no PYTHON* variables,
UTF-8 stdio) in its own session and a fresh private directory as cwd, with
exactly `env` (plus a minimal PATH/LANG) as its environment, the tool input
on stdin, RLIMIT_AS at `memory_bytes`, and stdout/stderr each capped at
1 MiB. The answer is {exit_code, signal, stdout, stderr, timed_out,
truncated, duration_ms}. After every call, success or not, every process the
call started is killed (this process is their subreaper, so a child that
left the session is still found) and everything the call left in the temp
directory (/tmp on Lambda) is removed. Standard library only.
"""

import ctypes
import json
import os
import resource
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import time

OUTPUT_CAP = 1024 * 1024  # per stream: SANDBOX_OUTPUT_CAP_BYTES (shared/sandbox/types.ts)
BASE_ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8"}
ANSWER_MARGIN_MS = 1000  # kept back from the invocation's own time limit to answer
PR_SET_DUMPABLE, PR_SET_CHILD_SUBREAPER = 4, 36

TMP_ROOT = tempfile.gettempdir()
KEEP = set(os.listdir(TMP_ROOT))  # what the temp directory held at INIT

# Orphans of a call (a child that left its session, then its parent died)
# become children of this process, so none escapes the kill. Not dumpable:
# the code, running as the same user, cannot read this process's environment
# or memory through /proc. Both fail closed: INIT fails without them.
_libc = ctypes.CDLL(None, use_errno=True)
for _option, _value in ((PR_SET_CHILD_SUBREAPER, 1), (PR_SET_DUMPABLE, 0)):
    if _libc.prctl(_option, _value, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), f"prctl({_option}) failed")


class InvalidPayload(Exception):
    """The invoke payload breaks the contract; the message names the field, never a value."""


def handler(event, context):
    request = _validate(event)
    timeout_ms = request["timeout_ms"]
    if context is not None:
        timeout_ms = min(timeout_ms, context.get_remaining_time_in_millis() - ANSWER_MARGIN_MS)
    try:
        return _run(request, max(timeout_ms, 0) / 1000)
    finally:
        _clean_tmp()


def _validate(event):
    """The checks of parsePayload (functions/lib/sandbox/wire.ts), with the same words."""
    p = event if isinstance(event, dict) else {}
    bad = []
    if p.get("language") != "python":
        bad.append('language (must be "python")')
    for name in ("code", "stdin"):
        if not isinstance(p.get(name), str):
            bad.append(f"{name} (a string)")
    env = p.get("env")
    if not isinstance(env, dict):
        bad.append("env (an object of strings)")
    elif any(not k or "=" in k or "\0" in k or not isinstance(v, str) or "\0" in v for k, v in env.items()):
        bad.append('env (names without "=", string values)')
    for name in ("timeout_ms", "memory_bytes"):
        value = p.get(name)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= 2**53 - 1:
            bad.append(f"{name} (a positive integer)")
    if bad:
        raise InvalidPayload(f"Invalid sandbox invoke payload: {', '.join(bad)}.")
    return p


def _limits(memory_bytes):
    def preexec():
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = memory_bytes if hard == resource.RLIM_INFINITY else min(memory_bytes, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    return preexec


def _run(request, timeout_s):
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="call-", dir=TMP_ROOT, ignore_cleanup_errors=True) as cwd:
        with open(os.path.join(cwd, "inline.py"), "w", encoding="utf-8") as file:
            file.write(request["code"])
        child = subprocess.Popen(
            [sys.executable, "-I", "-S", "-X", "utf8", "inline.py"],
            cwd=cwd,
            env={**BASE_ENV, **request["env"]},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
            preexec_fn=_limits(request["memory_bytes"]),
        )
        try:
            # returns once the call has ended (exited, or killed at the deadline) and _end has run
            out, err, truncated, timed_out = _exchange(child, request["stdin"].encode("utf-8"), started + timeout_s)
        except BaseException:
            _end(child)
            raise
    code = child.returncode
    return {
        "exit_code": code if code >= 0 else None,
        "signal": signal.Signals(-code).name if code < 0 else None,
        "stdout": out.decode("utf-8", "replace"),
        "stderr": err.decode("utf-8", "replace"),
        "timed_out": timed_out,
        "truncated": truncated,
        "duration_ms": round((time.monotonic() - started) * 1000, 3),
    }


def _exchange(child, stdin, deadline):
    """Feeds stdin and reads both outputs (capped, always drained) until the child exits or the deadline passes."""
    outputs = {child.stdout.fileno(): bytearray(), child.stderr.fileno(): bytearray()}
    truncated = timed_out = False
    pidfd = os.pidfd_open(child.pid)
    with selectors.DefaultSelector() as selector:
        selector.register(pidfd, selectors.EVENT_READ)
        for fd in outputs:
            os.set_blocking(fd, False)
            selector.register(fd, selectors.EVENT_READ)
        pending = memoryview(stdin)
        if pending:
            os.set_blocking(child.stdin.fileno(), False)
            selector.register(child.stdin, selectors.EVENT_WRITE)
        else:
            child.stdin.close()
        ended = False
        while pidfd in selector.get_map() or any(fd in selector.get_map() for fd in outputs):
            remaining = deadline - time.monotonic()
            if not ended and remaining <= 0:
                timed_out = ended = True
                _end(child)  # then drain what the pipes still hold
            for key, _ in selector.select(None if ended else remaining):
                if key.fd == pidfd:
                    # the code ended: end whatever it left running, so its pipes close
                    selector.unregister(pidfd)
                    if not ended:
                        ended = True
                        _end(child)
                elif key.fileobj is child.stdin:
                    try:
                        pending = pending[os.write(key.fd, pending[:65536]) :]
                    except BrokenPipeError:
                        pending = pending[:0]
                    if not pending:
                        selector.unregister(child.stdin)
                        child.stdin.close()
                else:
                    chunk = os.read(key.fd, 65536)
                    if not chunk:
                        selector.unregister(key.fd)
                        continue
                    buffer = outputs[key.fd]
                    room = OUTPUT_CAP - len(buffer)
                    truncated = truncated or len(chunk) > room
                    buffer += chunk[: max(room, 0)]
    os.close(pidfd)
    for stream in (child.stdin, child.stdout, child.stderr):
        stream.close()
    out, err = outputs.values()
    return bytes(out), bytes(err), truncated, timed_out


def _end(child):
    """Kills the call's process group, reaps the child (keeping its status), then kills whatever else it started."""
    _kill_group(child.pid)
    child.wait()
    _kill_descendants()


def _kill_group(pgid):
    try:
        os.killpg(pgid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _children():
    mine = str(os.getpid())
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as stat:
                    if stat.read().rsplit(")", 1)[1].split()[1] == mine:
                        yield int(entry)
            except (OSError, IndexError):
                pass  # ended meanwhile


def _kill_descendants():
    """Kills and reaps every child of this process until none is left; as subreaper, orphans land here too."""
    while True:
        children = list(_children())
        if not children:
            return
        for pid in children:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for pid in children:
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass


def _clean_tmp():
    for name in set(os.listdir(TMP_ROOT)) - KEEP:
        path = os.path.join(TMP_ROOT, name)
        if os.path.isdir(path) and not os.path.islink(path):
            # the code may have left a directory without write or search permission
            os.chmod(path, 0o700)
            for top, dirs, _ in os.walk(path):
                for entry in (os.path.join(top, d) for d in dirs):
                    if not os.path.islink(entry):
                        os.chmod(entry, 0o700)
            shutil.rmtree(path, ignore_errors=True)
        else:
            os.unlink(path)
