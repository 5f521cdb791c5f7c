"""Entry point. Imports are lazy: ``sesfix --version`` loads neither boto3 nor Textual."""

from __future__ import annotations

import argparse
import contextlib
import gc
import importlib
import sys
import threading
from collections.abc import Sequence
from typing import NoReturn

from sesfix import __version__
from sesfix.errors import SesfixError

# name -> module under sesfix.commands (each has HELP, add_arguments, run)
COMMANDS: dict[str, str] = {
    "check": "check",
    "fix": "fix",
    "undo": "undo",
    "demo": "demo",
    "logs": "logs",
}


class _Parser(argparse.ArgumentParser):
    """Usage errors in one line (no usage dump), exit 2; subcommand parsers inherit it.
    ``lang`` is the language of its texts (see :mod:`sesfix.cli_help`)."""

    lang = "en"

    def error(self, message: str) -> NoReturn:
        from sesfix.cli_help import error_text

        self.exit(2, error_text(self.prog, message, self.lang))


def build_parser(lang: str = "en") -> argparse.ArgumentParser:
    """The parser, its help texts in ``lang`` (flags, choices and names never change)."""
    from sesfix.cli_help import parsers, translate
    from sesfix.commands.common import add_source_arguments

    parser = _Parser(
        prog="sesfix",
        description="Find and fix why an app cannot send mail through Amazon SES. "
        "With no command, opens the wizard.",
    )
    parser.add_argument("--version", action="version", version=f"sesfix {__version__}")
    parser.add_argument("--lang", choices=["en", "vi"], help="language of the wizard")
    add_source_arguments(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, module_name in COMMANDS.items():
        try:
            module = importlib.import_module(f"sesfix.commands.{module_name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"sesfix.commands.{module_name}":
                raise
            continue
        p = sub.add_parser(name, help=module.HELP, description=module.HELP)
        module.add_arguments(p)
        p.set_defaults(_run=module.run)
    translate(parser, lang)
    for each in parsers(parser):
        if isinstance(each, _Parser):
            each.lang = lang
    return parser


#: After Ctrl-C, how long the orderly way out (closing sources, the practice account) may
#: take before the process ends regardless: the whole exit stays under 1 s.
INTERRUPT_GRACE = 0.4
#: The exit status of a run ended by Ctrl-C (128 + SIGINT), as shells report it.
INTERRUPTED = 130
#: Commands that own the terminal only as a stream: Ctrl-C ends them within the grace
#: time. The wizard (``sesfix``, ``sesfix demo``) reads Ctrl-C as a key and must restore
#: the terminal itself, so it never gets the hard exit.
HEADLESS = frozenset({"check", "fix", "undo", "logs"})


def main(argv: Sequence[str] | None = None) -> int:
    """Run sesfix. ``argv=None`` means "this is the process" (the console script or
    ``python -m sesfix``): then Ctrl-C and leftover worker threads end the process itself;
    called with a list (tests), it only returns the exit status."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list in (["--version"], ["-V"]):
        print(f"sesfix {__version__}")
        return 0
    from sesfix.errors import SesfixError

    whole_process = argv is None
    try:
        code = _main(args_list, whole_process)
    except SesfixError as exc:
        code = _report_error(exc)
    except KeyboardInterrupt:
        _say_interrupted()
        code = INTERRUPTED
    except BrokenPipeError:
        # `sesfix check | head -1`: the reader left; that is not a crash. Point stdout at
        # devnull so the interpreter's final flush does not raise again.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = 141
    except Exception as exc:  # noqa: BLE001 - a crash is reported, scrubbed, never a traceback
        code = _crash(exc)
    if whole_process:
        _leave(code)
    return code


def _main(args_list: list[str], whole_process: bool) -> int:
    from sesfix import config, debuglog, locations

    # sesfix's own settings first: an invalid SESFIX_* number or a state directory that is
    # a file is one usage error (exit 2) before anything else, never a wrong verdict.
    config.validate()
    locations.validate()
    if debuglog.enabled_by_environment():
        debuglog.enable()
    from sesfix.cli_help import language_of

    parser = build_parser(language_of(args_list))
    try:
        args = parser.parse_args(args_list)
    except SystemExit as exc:  # argparse: 0 for --help, 2 for a usage error
        return int(exc.code or 0)
    if whole_process:
        _install_thread_hook()
    if getattr(args, "_run", None) is None:
        from sesfix.tui.launch import run_wizard

        return run_wizard(args)
    if whole_process and args.command in HEADLESS:
        _install_interrupt_handler()
    code = int(args._run(args))
    sys.stdout.flush()  # inside the try: a closed pipe is reported here, not at exit
    if whole_process:
        # The process ends next: the ~1M objects a diagnosis built (botocore's models
        # and clients) need no last cyclic collection at interpreter exit (~60 ms).
        gc.freeze()
    return code


# ---- the way out: Ctrl-C and threads left behind -------------------------------------------


_interrupted = False
_WAKEUP: list[object] = []


_said = threading.Event()


def _say_interrupted() -> None:
    if _said.is_set():
        return
    _said.set()
    # stderr may be gone (a closed pipe): the exit status still says it.
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.write("\nsesfix: interrupted\n")
        sys.stderr.flush()


def _flush_all() -> None:
    """Flush stdout, stderr and the log handlers; one that is closed is skipped (nothing
    more can reach it)."""
    import logging

    targets: list[object] = [sys.stdout, sys.stderr, *logging.getLogger().handlers]
    for target in targets:
        with contextlib.suppress(OSError, ValueError):
            target.flush()  # type: ignore[attr-defined]


def _exit_now(code: int) -> None:
    """End the process at once, after flushing what was written (os._exit skips the join
    of worker threads that may sit in a read that never ends)."""
    import os

    _flush_all()
    os._exit(code)


def _install_interrupt_handler() -> None:
    """Ctrl-C ends the process within :data:`INTERRUPT_GRACE` seconds, whatever runs.

    Two parts, so that neither a blocked main thread nor code that swaps the SIGINT handler
    for a while (a write in flight waits for AWS's answer to record it) can stretch that:

    * the handler raises KeyboardInterrupt for an orderly way out (a second Ctrl-C ends
      the process at once);
    * a watcher thread learns of every SIGINT through the interpreter's wakeup fd (written
      in C as the signal arrives, whichever Python handler is installed) and ends the
      process :data:`INTERRUPT_GRACE` seconds later if it is still running: a probe
      waiting on a hung endpoint, an executor joining its threads. Audit intents are
      written before each call, so none is lost.
    """
    import signal
    import socket

    def on_sigint(signum: int, frame: object) -> None:
        global _interrupted
        if _interrupted:
            _say_interrupted()
            _exit_now(INTERRUPTED)
        _interrupted = True
        raise KeyboardInterrupt

    try:
        signal.signal(signal.SIGINT, on_sigint)
    except ValueError:
        return  # not the main thread: the caller handles interrupts
    reader, writer = socket.socketpair()
    writer.setblocking(False)
    _WAKEUP.extend((reader, writer))  # kept open for the life of the process
    try:
        signal.set_wakeup_fd(writer.fileno(), warn_on_full_buffer=False)
    except ValueError:
        reader.close()
        writer.close()
        return

    def watch() -> None:
        while True:
            try:
                data = reader.recv(64)
            except OSError:
                return
            if not data:
                return
            if signal.SIGINT in data:
                break
        import time

        time.sleep(INTERRUPT_GRACE)
        _say_interrupted()
        _exit_now(INTERRUPTED)

    threading.Thread(target=watch, name="sesfix-interrupt", daemon=True).start()


def _install_thread_hook() -> None:
    """An exception in a worker thread goes to crash.log (scrubbed), never a traceback on
    the terminal."""

    def hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit or args.exc_value is None:
            return
        _write_crash_log(args.exc_value)

    threading.excepthook = hook


def _leave(code: int) -> None:
    """The process is done. Threads still running (a call abandoned at its deadline, an
    executor waiting on a hung endpoint) must not hold it open: end it now."""

    if any(
        t.is_alive() and not t.daemon
        for t in threading.enumerate()
        if t is not threading.main_thread()
    ):
        _exit_now(code)


def _report_error(exc: SesfixError) -> int:
    """A domain error: its message (and hint) on stderr, outside text in it made visible."""
    from sesfix.commands.output import shown

    print(f"sesfix: {shown(exc.message)}", file=sys.stderr)
    if exc.hint:
        print(f"  {shown(exc.hint)}", file=sys.stderr)
    return exc.exit_code


def _write_crash_log(exc: BaseException) -> str:
    """The scrubbed traceback appended to crash.log (0600); where it went, for people."""
    import os
    import traceback

    from sesfix import debuglog

    text = debuglog.scrub("".join(traceback.format_exception(exc)))
    try:
        from sesfix.locations import state_dir

        path = state_dir() / "crash.log"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with open(fd, "a", encoding="utf-8") as f:
            f.write(text + "\n")
        where = str(path)
    except (OSError, SesfixError):
        where = "(the state directory is not writable)"
    import logging

    logging.getLogger("sesfix").error("crash: %s", text)
    return where


def _crash(exc: BaseException) -> int:
    """An unexpected error: a one-line message, the scrubbed traceback in a crash file."""
    where = _write_crash_log(exc)
    from sesfix.text import visible

    print(
        f"sesfix: internal error ({type(exc).__name__}); the details are in {visible(where)}",
        file=sys.stderr,
    )
    return 1
