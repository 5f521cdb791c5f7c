"""What each practice scenario's app would have logged: the guide's Node mail service, sending
one verification mail and getting the answer the practice account gives its credentials.

The error code comes from the scenario's declaration (:attr:`Scenario.app_error`), and a test
checks it against what the practice account really answers the app's send; the messages are
AWS's own wording for those codes. The lines follow the guide's format (see :mod:`sesfix.logs`):
``🔧 … Initializing``, ``📤 … Sending``, then ``✅ … Email sent successfully`` or the
``❌ … Error: { message, code }`` object and the route's 500 answer. No value of a variable
appears: no key, no secret.
"""

from __future__ import annotations

import json

from sesfix.demo.account import ACCOUNT_ID, SCENARIOS, Scenario, resolve_scenario
from sesfix.demo.sending import PAUSED_MESSAGE

_STAMP = "2026-11-29T10:42:00.{ms:03d}Z"
_ROUTE = "POST /api/auth/resend-verification"
_TAG = "[Email Service - SES]"


def _messages(sc: Scenario) -> dict[str, str]:
    """AWS's message for each code, for this scenario's user, region and sender."""
    return {
        "AccessDenied": (
            f"User: arn:aws:iam::{ACCOUNT_ID}:user/{sc.user} is not authorized to perform: "
            f"ses:SendEmail on resource: arn:aws:ses:{sc.region}:{ACCOUNT_ID}:identity/{sc.domain}"
        ),
        "InvalidClientTokenId": "The security token included in the request is invalid.",
        "SignatureDoesNotMatch": (
            "The request signature we calculated does not match the signature you provided. "
            "Check your AWS Secret Access Key and signing method. Consult the service "
            "documentation for details."
        ),
        "AccountSendingPausedException": PAUSED_MESSAGE,
        "MessageRejected": (
            "Email address is not verified. The following identities failed the check in "
            f"region {sc.region.upper()}: {sc.sender}"
        ),
    }


def sample_log(scenario: Scenario | str) -> str:
    """The scenario's app log around one failed (or successful) send, as text lines."""
    sc = resolve_scenario(scenario) if isinstance(scenario, str) else scenario
    if sc.name == "random":  # pragma: no cover - resolve_scenario never returns it
        raise ValueError("random has no log of its own")
    if sc.smtp:
        from sesfix.demo import smtp

        return smtp.sample_log(sc.smtp, sc.region)
    if sc.provider != "ses":
        return (
            "\n".join(
                [
                    f"{_STAMP.format(ms=101)} 📝 [Email Service - {sc.provider}] "
                    f"EMAIL_PROVIDER={sc.provider}: the email is printed here, not sent",
                    f"{_STAMP.format(ms=104)} {_ROUTE} 200",
                ]
            )
            + "\n"
        )
    lines = [
        f"{_STAMP.format(ms=101)} 🔧 {_TAG} Initializing AWS SES client...",
        f"{_STAMP.format(ms=180)} 📤 {_TAG} Sending email via AWS SES...",
    ]
    if not sc.app_error:
        lines += [
            f"{_STAMP.format(ms=412)} ✅ {_TAG} Email sent successfully",
            f"{_STAMP.format(ms=415)} {_ROUTE} 200",
        ]
        return "\n".join(lines) + "\n"
    code = sc.app_error
    message = _messages(sc).get(code, code)
    answer = {
        "success": False,
        "code": "EMAIL_SEND_FAILED",
        "message": f"AWS SES error ({code}): {message}",
    }
    lines += [
        f"{_STAMP.format(ms=734)} ❌ {_TAG} Error: {{",
        f"  message: {json.dumps(message)},",
        f'  code: "{code}"',
        "}",
        f"{_STAMP.format(ms=740)} {_ROUTE} 500 - {json.dumps(answer, separators=(',', ':'))}",
    ]
    return "\n".join(lines) + "\n"


def sample_logs() -> dict[str, str]:
    """Every scenario's sample log, by name."""
    return {name: sample_log(sc) for name, sc in SCENARIOS.items()}


__all__ = ["sample_log", "sample_logs"]
