"""Entry point. Imports are lazy: ``sesfix --version`` loads neither boto3 nor Textual."""

from __future__ import annotations

import argparse
import gc
import importlib
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, NoReturn

from sesfix import __version__

if TYPE_CHECKING:
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
    """Usage errors in one line (no usage dump), exit 2; subcommand parsers inherit it."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see: {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list in (["--version"], ["-V"]):
        print(f"sesfix {__version__}")
        return 0
    from sesfix import debuglog
    from sesfix.errors import SesfixError

    if debuglog.enabled_by_environment():
        debuglog.enable()
    parser = build_parser()
    try:
        args = parser.parse_args(args_list)
    except SystemExit as exc:  # argparse: 0 for --help, 2 for a usage error
        return int(exc.code or 0)
    try:
        if getattr(args, "_run", None) is None:
            from sesfix.tui.launch import run_wizard

            return run_wizard(args)
        code = int(args._run(args))
        sys.stdout.flush()  # inside the try: a closed pipe is reported here, not at exit
        if argv is None:
            # The process ends next: the ~1M objects a diagnosis built (botocore's models
            # and clients) need no last cyclic collection at interpreter exit (~60 ms).
            gc.freeze()
        return code
    except SesfixError as exc:
        return _report_error(exc)
    except KeyboardInterrupt:
        print("sesfix: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `sesfix check | head -1`: the reader left; that is not a crash. Point stdout at
        # devnull so the interpreter's final flush does not raise again.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except Exception as exc:  # noqa: BLE001 - a crash is reported, scrubbed, never a traceback
        return _crash(exc)


def _report_error(exc: SesfixError) -> int:
    """A domain error: its message (and hint) on stderr, outside text in it made visible."""
    from sesfix.commands.output import shown

    print(f"sesfix: {shown(exc.message)}", file=sys.stderr)
    if exc.hint:
        print(f"  {shown(exc.hint)}", file=sys.stderr)
    return exc.exit_code


def _crash(exc: BaseException) -> int:
    """An unexpected error: a one-line message, the scrubbed traceback in a crash file."""
    import traceback

    from sesfix import debuglog
    from sesfix.locations import state_dir

    text = debuglog.scrub("".join(traceback.format_exception(exc)))
    where = "(not written)"
    try:
        import os

        path = state_dir() / "crash.log"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with open(fd, "a", encoding="utf-8") as f:
            f.write(text + "\n")
        where = str(path)
    except OSError:
        where = "(the state directory is not writable)"
    import logging

    logging.getLogger("sesfix").error("crash: %s", text)
    print(
        f"sesfix: internal error ({type(exc).__name__}); the details are in {where}",
        file=sys.stderr,
    )
    return 1
