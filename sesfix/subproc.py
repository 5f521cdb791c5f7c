"""Child processes with bounds: time, output size, and the whole process group.

A child started with ``start_new_session=True`` leads its own process group;
:func:`communicate` feeds it stdin and reads its stdout and stderr without ever waiting
past a deadline or holding more than a byte limit, and stops reading shortly after the
child exits even if a grandchild keeps the pipes open; :func:`kill_group` then ends the
child and everything it started. Used for the Railway CLI (``sesfix.railway``).
"""

from __future__ import annotations

import contextlib
import os
import subprocess

#: After the child itself exits, how long its output pipes may stay open (a grandchild
#: holding them) before reading stops.
AFTER_EXIT = 0.5


def communicate(
    proc: subprocess.Popen[bytes], data: bytes, seconds: float, limit: int
) -> tuple[bytes, bytes, str]:
    """Feed ``data`` to the child and read its stdout and stderr until both close, at most
    ``limit`` bytes in all and until ``seconds`` pass. Returns (stdout, stderr, why) where
    ``why`` is ``""``, ``"timeout"`` or ``"too_large"``."""
    import selectors
    import time

    assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
    deadline = time.monotonic() + seconds
    chunks: dict[int, list[bytes]] = {proc.stdout.fileno(): [], proc.stderr.fileno(): []}
    total = 0
    exited_at: float | None = None
    with selectors.DefaultSelector() as sel:
        if data:
            os.set_blocking(proc.stdin.fileno(), False)
            sel.register(proc.stdin, selectors.EVENT_WRITE)
        else:
            proc.stdin.close()
        for stream in (proc.stdout, proc.stderr):
            sel.register(stream, selectors.EVENT_READ)
        view = memoryview(data)
        while sel.get_map():
            now = time.monotonic()
            if now >= deadline:
                return b"", b"", "timeout"
            if exited_at is None and proc.poll() is not None:
                exited_at = now
            wait = deadline - now
            if exited_at is not None:
                if now - exited_at >= AFTER_EXIT:
                    break  # the CLI is done; a child it left holds the pipes open
                wait = min(wait, AFTER_EXIT)
            for key, _events in sel.select(timeout=min(wait, 0.25)):
                if key.fileobj is proc.stdin:
                    try:
                        sent = os.write(proc.stdin.fileno(), view[:65536])
                    except BrokenPipeError:
                        sent = len(view)
                    view = view[sent:]
                    if not view:
                        sel.unregister(proc.stdin)
                        proc.stdin.close()
                    continue
                fd = key.fd
                chunk = os.read(fd, 65536)
                if not chunk:
                    sel.unregister(key.fileobj)
                    continue
                total += len(chunk)
                if total > limit:
                    return b"", b"", "too_large"
                chunks[fd].append(chunk)
    try:
        proc.wait(timeout=max(0.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        return b"", b"", "timeout"
    return (
        b"".join(chunks[proc.stdout.fileno()]),
        b"".join(chunks[proc.stderr.fileno()]),
        "",
    )


def kill_group(proc: subprocess.Popen[bytes]) -> None:
    """End the CLI and everything it started (its own session), then reap it."""
    import signal

    # The group may already be gone (the CLI and its children all exited): nothing to end.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    for stream in (proc.stdin, proc.stdout, proc.stderr):
        if stream is not None and not stream.closed:
            stream.close()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
