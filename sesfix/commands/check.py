"""``sesfix check``: all five steps, headless. Exit 0 healthy, 1 error finding, 2 usage."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any, TextIO

from sesfix.commands.common import add_source_arguments, resolve_sources, source_label
from sesfix.commands.output import dump_json, shown, write

if TYPE_CHECKING:
    from sesfix.aws.gateway import CallFinished, CallStarted
    from sesfix.diagnosis.report import Report

HELP = "diagnose why the app cannot send through SES (all five steps)"


EPILOG = (
    "exit status: 0 when no finding is an error (warnings such as the sandbox allowed); "
    "1 when one is, including a step AWS left without an answer (probe.unreachable); "
    "2 for a usage error (unknown flag, unreadable env file, unknown profile). "
    "time: each AWS call is given up after SESFIX_CALL_DEADLINE seconds in all (15), the "
    "whole diagnosis after SESFIX_DIAGNOSIS_DEADLINE (40); what did not answer by then is "
    "probe.unreachable and the verdict is given. When AWS itself answered nothing (timeouts, "
    "network, or a proxy's page instead of AWS's answer), the report leads with one headline "
    'and the JSON has "unreachable": true.'
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = EPILOG
    parser.add_argument(
        "--json", action="store_true", help="print one JSON object (schema sesfix.check/1)"
    )
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="no progress lines on stderr while probing"
    )
    parser.add_argument(
        "--lang",
        dest="check_lang",
        choices=["en", "vi"],
        help="language of the evidence and headline (default: --lang before the command, "
        "then the locale); ids and JSON field names never change",
    )
    parser.add_argument(
        "--smtp",
        action="store_true",
        help="run the SMTP checks (lint on step 2, live AUTH test on step 3) even when no "
        "SMTP_* variable is set",
    )
    add_source_arguments(parser)
    d = parser.add_argument_group("the send to check (delivery readiness)")
    d.add_argument(
        "--to",
        metavar="ADDRESS",
        help="a recipient: verified in the sandbox? on the account's suppression list?",
    )
    d.add_argument(
        "--configuration-set",
        metavar="NAME",
        help="the configuration set the app sends with (default: its SES_CONFIGURATION_SET)",
    )
    d.add_argument(
        "--dns-server",
        metavar="HOST[:PORT]",
        help="the DNS server for the DKIM/MAIL FROM/DMARC checks (env: SESFIX_DNS_SERVER; "
        "default: the system's)",
    )


def delivery_options(args: argparse.Namespace) -> Any:
    """The delivery options the flags give (a usage error for a malformed one). Without
    ``--to``, SESFIX_TO names the recipient (practice mode sets it to its test inbox)."""
    from sesfix.delivery.checks import DeliveryOptions
    from sesfix.errors import UsageError

    to = (getattr(args, "to", None) or "").strip() or None
    if to is not None and ("@" not in to or any(c.isspace() for c in to)):
        from sesfix.locale import t
        from sesfix.text import visible

        raise UsageError(t("cmdtext.bad_to", value=repr(visible(to, limit=80))))
    options = DeliveryOptions(
        to=to,
        configuration_set=(getattr(args, "configuration_set", None) or "").strip() or None,
        dns_server=(getattr(args, "dns_server", None) or "").strip() or None,
    )
    options.resolver_address()  # --dns-server / SESFIX_DNS_SERVER checked before any probe
    return options


def run(args: argparse.Namespace) -> int:
    from sesfix.diagnosis.engine import DiagnosisOptions, diagnose
    from sesfix.locale import detect_language, set_language

    # --lang after the command, else before it, else the locale. Evidence and the headline
    # are written in this language; ids and JSON field names are not.
    lang = getattr(args, "check_lang", None) or getattr(args, "lang", None)
    set_language(detect_language(lang))
    delivery = delivery_options(args)  # a malformed flag stops here, before any source opens
    with resolve_sources(args) as sources:
        sources.require_variables()
        listeners = []
        if not args.quiet and sys.stderr.isatty():
            listeners.append(_progress(sys.stderr))
        settings = sources.settings
        if getattr(args, "smtp", False):
            from dataclasses import replace

            settings = replace(settings, smtp_requested=True)
        options = DiagnosisOptions(operator=sources.operator, delivery=delivery)
        report = diagnose(settings, options, listeners=listeners)
    if args.json:
        dump_json(report.to_json(), sys.stdout)
    else:
        render_text(report, sys.stdout)
    return 0 if report.healthy else 1


def _progress(stream: TextIO):  # type: ignore[no-untyped-def]
    import threading

    lock = threading.Lock()

    def listener(event: CallStarted | CallFinished) -> None:
        from sesfix.aws.gateway import CallFinished

        if isinstance(event, CallFinished):
            r = event.record
            with lock:
                line = f"{r.call} ({r.identity}, {r.region}) → {r.outcome} {r.ms} ms"
                stream.write(f"\r\x1b[K  {shown(line, limit=200)}")
                stream.flush()

    return listener


_MARK = {"pass": "✓", "warning": "!", "fail": "✗", "unknown": "?"}
_SEV = {"error": "✗", "warning": "!", "info": "i"}
WIDTH = 79


def _wrap(text: str, first: str, rest: str, width: int = WIDTH) -> list[str]:
    import textwrap

    return textwrap.wrap(
        text,
        width=width,
        initial_indent=first,
        subsequent_indent=rest,
        break_on_hyphens=False,
        break_long_words=True,
    ) or [first.rstrip()]


def _shell_lines(command: str, width: int = WIDTH) -> list[str]:
    """The AWS CLI command, wrapped with shell continuations so it still pastes."""
    import textwrap

    lines = textwrap.wrap(
        command,
        width=width - 2,
        initial_indent="    $ ",
        subsequent_indent="        ",
        break_on_hyphens=False,
        break_long_words=False,
    )
    return [line + " \\" for line in lines[:-1]] + lines[-1:]


def _operator(operator: str) -> str:
    from sesfix.locale import t

    if operator == "built-in operator":
        return t("checktext.operator.builtin")
    if operator == "none":
        return t("checktext.operator.none")
    return shown(operator)


def render_text(report: Report, out: TextIO, *, commands: bool = True) -> None:
    """A compact table per step, readable in 80 columns: each probe with how long it took,
    AWS's answer when it was not ``ok``, and the AWS CLI command that reproduces it."""
    if out.isatty():
        out.write("\r\x1b[K")
    from sesfix.locale import t

    ctx = report.context
    lines: list[str] = []
    if report.unreachable:
        # Nothing below is AWS's verdict: say so first, once.
        lines += _wrap(f"✗ {report.headline}", "", "  ")
        lines.append("")
    heading = t(
        "checktext.heading",
        source=source_label(report.source),
        operator=_operator(report.operator),
        seconds=f"{report.duration_ms / 1000:.2f}",
    )
    lines += _wrap(heading, "", "  ")
    who = [t("checktext.who.key", key=ctx.key_id_masked)]
    if ctx.app_user:
        who.append(t("checktext.who.user", user=shown(ctx.app_user)))
    if ctx.app_account:
        who.append(t("checktext.who.account", account=ctx.app_account))
    if ctx.key_last_used:
        who.append(t("checktext.who.last_used", last_used=ctx.key_last_used))
    who.append(t("checktext.who.region", region=shown(ctx.region or "?")))
    who.append(t("checktext.who.sender", sender=shown(ctx.sender or "?")))
    if ctx.domain_shown and ctx.domain_shown != ctx.domain:
        who.append(t("checktext.who.domain", domain=shown(ctx.domain_shown)))
    lines += _wrap(t("checktext.app", who=" · ".join(who)), "", "     ")
    for step in report.steps:
        lines.append("")
        name = t(f"step.{step.number}.name")
        head = f"{_MARK[step.status]} " + t("checktext.step", number=step.number, name=name)
        status = t(f"state.{step.status}")
        lines.append(f"{head:<{WIDTH - 1 - len(status)}} {status}")
        for p in step.probes:
            mark = "✓" if p.outcome == "ok" else "✗"
            lines.append(f"  {mark} {p.call:<37} {p.identity:<8} {p.region:<14} {p.ms:>5} ms")
            if p.outcome != "ok":
                answer = t("checktext.answered", outcome=shown(p.outcome)) + (
                    f": {shown(p.detail)}" if p.detail else ""
                )
                lines += _wrap(answer[:240], "      ", "      ")
            if commands:
                lines += _shell_lines(p.cli)
        for f in report.findings_for(step.number):
            severity = t(f"checktext.severity.{f.severity}")
            lines.append(f"  {_SEV[str(f.severity)]} {severity} {f.id}")
            lines += _wrap(shown(f.localized("title")), "      ", "      ")
            for e in f.evidence:
                lines += _wrap(shown(e), "      · ", "        ")
            if f.fixes and f.severity != "info":
                also = (
                    t("checktext.fix_or", others=", ".join(f.fixes[1:])) if len(f.fixes) > 1 else ""
                )
                lines += _wrap(t("checktext.fix", fix=f.fixes[0]) + also, "      ", "        ")
    lines.append("")
    if report.healthy:
        verdict = t("checktext.healthy")
        if any(f.severity == "warning" for f in report.findings):
            verdict += t("checktext.see_warnings")
    else:
        ids = ", ".join(dict.fromkeys(f.id for f in report.errors))
        verdict = t("checktext.errors", count=len(report.errors), ids=ids)
    lines += _wrap(t("checktext.verdict", verdict=verdict), "", "  ")
    # Outside values were made visible one by one above (length-capped); this pass is the
    # last line of defence for anything else in the report (masks secret shapes too).
    write(out, "\n".join(lines) + "\n")
