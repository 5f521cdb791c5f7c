"""``sesfix --help`` in the reader's language (issue 12).

The help texts are written in English beside their flags (``sesfix/commands/*``);
``sesfix/locale/cli.en.json`` repeats each one under a key and ``cli.vi.json`` translates it
(a test keeps the English file equal to the parser). :func:`translate` walks a built parser
and replaces every text a person reads (descriptions, epilogs, group titles, help lines and
argparse's own words: "usage:", "options", ...) by the one with the same key in the chosen
language. Flags, choices, metavars and command names are never touched: they are the
public contract. English is left exactly as argparse prints it.

The language is chosen before the parser is built: ``--lang X`` anywhere on the command
line wins, else the locale (:func:`sesfix.locale.detect_language`). Only :mod:`sesfix.lang`
is read here (plain JSON), so building the parser stays light.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator, Sequence
from functools import cache

from sesfix import lang as _lang

#: argparse's own words (it takes them from gettext, which sesfix does not ship).
USAGE = "usage: "
HELP_FLAG = "show this help message and exit"
#: How a usage error ends: where to read more.
SEE_HELP = "(see: {prog} --help)"


def language_of(argv: Sequence[str], environ: dict[str, str] | None = None) -> str:
    """``--lang X`` (or ``--lang=X``) anywhere in ``argv`` wins, the last known one if
    several (``--lang fr`` is a usage error, told in the language before it); else the
    locale as every face detects it."""
    from sesfix.locale import detect_language

    explicit: str | None = None
    items = list(argv)
    for i, item in enumerate(items):
        if item == "--":
            break
        value = None
        if item == "--lang" and i + 1 < len(items):
            value = items[i + 1]
        elif item.startswith("--lang="):
            value = item.split("=", 1)[1]
        if value in _lang.LANGUAGES:
            explicit = value
    return detect_language(explicit or None, environ)


def say(text: str, lang: str) -> str:
    """``text`` (an English text of the CLI catalogue) in ``lang``; itself if not there."""
    if lang == _lang.DEFAULT:
        return text
    key = _english_keys().get(text)
    if key is None:
        return text
    return _lang.files(lang).get(key, text)


@cache
def _english_keys() -> dict[str, str]:
    return {text: key for key, text in _lang.files(_lang.DEFAULT).items() if key.startswith("cli.")}


def parsers(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    """The parser and every subcommand's parser."""
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in dict.fromkeys(action.choices.values()):
                yield from parsers(sub)


def texts(parser: argparse.ArgumentParser) -> Iterator[str]:
    """Every text of ``parser`` and its subcommands a person reads (not flags or metavars)."""
    for p in parsers(parser):
        for text in (p.description, p.epilog):
            if text:
                yield text
        for group in p._action_groups:
            if group.title:
                yield group.title
            if group.description:
                yield group.description
        for action in p._actions:
            if action.help and action.help is not argparse.SUPPRESS:
                yield action.help
            if isinstance(action, argparse._SubParsersAction):
                for choice in action._choices_actions:
                    if choice.help:
                        yield choice.help


def translate(parser: argparse.ArgumentParser, lang: str) -> None:
    """Put ``parser``'s texts (and its subcommands') in ``lang``, in place."""
    if lang == _lang.DEFAULT:
        return
    formatter = formatter_for(lang)
    for p in parsers(parser):
        p.formatter_class = formatter
        if p.description:
            p.description = say(p.description, lang)
        if p.epilog:
            p.epilog = say(p.epilog, lang)
        for group in p._action_groups:
            if group.title:
                group.title = say(group.title, lang)
            if group.description:
                group.description = say(group.description, lang)
        for action in p._actions:
            if action.help and action.help is not argparse.SUPPRESS:
                action.help = say(action.help, lang)
            if isinstance(action, argparse._SubParsersAction):
                for choice in action._choices_actions:
                    if choice.help:
                        choice.help = say(choice.help, lang)


def formatter_for(lang: str) -> type[argparse.HelpFormatter]:
    """argparse's formatter with its "usage: " in ``lang``."""
    usage_prefix = say(USAGE, lang)

    class Formatter(argparse.HelpFormatter):
        def add_usage(self, usage, actions, groups, prefix=None):  # type: ignore[no-untyped-def]
            super().add_usage(usage, actions, groups, prefix or usage_prefix)

    return Formatter


def error_text(prog: str, message: str, lang: str) -> str:
    """A usage error in one line: argparse's message (its known phrases in ``lang``) and
    where to read more."""
    if lang != _lang.DEFAULT:
        if message.startswith(ARGUMENT):
            message = say(ARGUMENT, lang) + message[len(ARGUMENT) :]
        for english in ERROR_PHRASES:
            message = message.replace(english, say(english, lang))
    # argparse quotes what was typed (unknown arguments, a bad choice): text from outside,
    # shown with its control characters made visible.
    from sesfix.text import visible

    return f"{prog}: {visible(message, limit=500)} {say(SEE_HELP, lang).format(prog=prog)}\n"


#: How argparse starts an error about one flag ("argument --lang: invalid choice: ...").
ARGUMENT = "argument "
#: The phrases of argparse's usage errors people meet most (in its English, as it writes
#: them); each is in the CLI catalogue.
ERROR_PHRASES = (
    "the following arguments are required: ",
    "unrecognized arguments: ",
    "expected one argument",
    "invalid choice: ",
    "(choose from ",
    "not allowed with argument ",
)
