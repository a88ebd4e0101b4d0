# Capsule python kernel: one long-lived interpreter that runs every python execution of a session.
#
# Started by capsule-agent as `python3 -u -X utf8 kernel.py` with cwd /app and the session env.
#   fd 0  /dev/null
#   fd 1  stdout pipe (read by the agent, streamed to the host)
#   fd 2  stderr pipe
#   fd 3  requests from the agent
#   fd 4  replies to the agent
# Records on fd 3 and fd 4 are a 4-byte big-endian length followed by UTF-8 JSON. Each request gets
# exactly one reply:
#   {"op":"exec","code":"...","auto":false} -> {"exit_code":N,"cpu_ms":F}
#       auto=true: if the code is not python (SyntaxError, or a bare shell command such as
#       `ls -la`), reply {"not_python":true} without running anything.
#   {"op":"env","env":{"K":"V"}}             -> {"ok":true}
#   {"op":"reap"}                              -> {"ok":true}
#       sent after the agent killed the kernel's children (they reached the process limit or met the OOM
#       killer): reaps every dead child, since zombies still count against the limit.
# SIGINT raises KeyboardInterrupt only while user code runs; at any other moment it is ignored, so
# a late interrupt cannot break the record stream. EOF on fd 3 ends the kernel.
import ast
import builtins
import json
import linecache
import os
import shutil
import signal
import struct
import sys
import time
import traceback
import types

# Imported up front so the first execution of a session does not pay for them.
import datetime  # noqa: F401
import math  # noqa: F401
import re  # noqa: F401
import subprocess  # noqa: F401

REQUESTS_FD = 3
REPLIES_FD = 4
KERNEL_FILE = os.path.abspath(__file__)
_KERNEL_PID = os.getpid()

_in_cell = False
_cell_count = 0
# User code runs in a fresh __main__ module (not this script's), so `import __main__`, pickle and
# multiprocessing see the user's definitions.
_main = types.ModuleType("__main__")
_main.__builtins__ = builtins
_namespace = _main.__dict__


def _on_sigint(signum, frame):
    if _in_cell:
        raise KeyboardInterrupt


def _read_exact(count):
    data = bytearray()
    while len(data) < count:
        chunk = os.read(REQUESTS_FD, count - len(data))
        if not chunk:
            os._exit(0)
        data += chunk
    return bytes(data)


def _receive():
    (length,) = struct.unpack(">I", _read_exact(4))
    return json.loads(_read_exact(length).decode("utf-8"))


def _reply(record):
    data = json.dumps(record).encode("utf-8")
    data = struct.pack(">I", len(data)) + data
    while data:
        written = os.write(REPLIES_FD, data)
        data = data[written:]


def _flush():
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        try:
            stream.flush()
        except Exception:
            pass


def _cpu_seconds():
    children = os.times()
    return time.process_time() + children.children_user + children.children_system


def _print_exception(error):
    # Drop the kernel's own frames so the traceback starts at the user's code, like a script's.
    tb = error.__traceback__
    while tb is not None and os.path.abspath(tb.tb_frame.f_code.co_filename) == KERNEL_FILE:
        tb = tb.tb_next
    try:
        traceback.print_exception(type(error), error, tb)
    except Exception:
        print(f"{type(error).__name__}: {error}", file=sys.__stderr__)


def _exit_code(error):
    code = error.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1


def _looks_like_shell(tree):
    """True for code that parses as python but is a shell command: `ls -la`, `pwd`, `python3 --version`.

    Every statement is a bare expression and the leftmost name is not defined here but is a program
    on PATH.
    """
    if not tree.body or not all(isinstance(s, ast.Expr) for s in tree.body):
        return False
    node = tree.body[0].value
    while True:
        if isinstance(node, ast.BinOp):
            node = node.left
        elif isinstance(node, ast.Compare):
            node = node.left
        else:
            break
    if not isinstance(node, ast.Name):
        return False
    name = node.id
    if name in _namespace or hasattr(builtins, name):
        return False
    return shutil.which(name) is not None


def _reap():
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _is_python(code):
    try:
        tree = ast.parse(code, "<auto>", "exec")
    except (SyntaxError, ValueError):
        return False
    return not _looks_like_shell(tree)


def _run(code):
    global _in_cell, _cell_count
    _cell_count += 1
    name = f"<cell-{_cell_count}>"
    linecache.cache[name] = (len(code), None, code.splitlines(True), name)
    started = _cpu_seconds()
    exit_code = 0
    try:
        try:
            compiled = compile(code, name, "exec")
            _in_cell = True
            exec(compiled, _namespace)
        finally:
            _in_cell = False
    except SystemExit as error:
        exit_code = _exit_code(error)
    except BaseException as error:  # noqa: B036 - KeyboardInterrupt included: the cell failed
        exit_code = 1
        _print_exception(error)
    _flush()
    return {"exit_code": exit_code, "cpu_ms": (_cpu_seconds() - started) * 1000.0}


def main():
    signal.signal(signal.SIGINT, _on_sigint)
    os.set_inheritable(REQUESTS_FD, False)
    os.set_inheritable(REPLIES_FD, False)
    sys.modules["__main__"] = _main
    # Imports resolve against the working directory, as in an interactive interpreter.
    sys.path[0] = ""
    sys.argv = [""]
    while True:
        request = _receive()
        op = request.get("op")
        if op == "exec":
            code = request.get("code", "")
            if request.get("auto") and not _is_python(code):
                _reply({"not_python": True})
            else:
                result = _run(code)
                if os.getpid() != _KERNEL_PID:
                    # A process the cell forked (os.fork without exec or _exit) came back here: it must not
                    # answer for the kernel or read its requests. It ends like a script would.
                    os._exit(result["exit_code"])
                _reply(result)
        elif op == "env":
            os.environ.update(request.get("env") or {})
            _reply({"ok": True})
        elif op == "reap":
            _reap()
            _reply({"ok": True})
        else:
            _reply({"error": f"unknown op {op!r}"})


main()
