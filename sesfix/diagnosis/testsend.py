"""The guide's "test after fix": send one message with the app's own credentials.

It goes through the :class:`~sesfix.aws.gateway.Gateway` as a write (it sends mail),
allowed only for ``ses:SendEmail``, and reports the outcome as the guide's log lines.
The default recipient is the SES mailbox simulator, which works in the sandbox.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sesfix.aws.connect import app_credentials
from sesfix.aws.gateway import CallRecord, Gateway, Listener
from sesfix.aws.identity import Identities, IdentityName, OperatorSpec
from sesfix.delivery.rejection import RejectionReport, explain_rejection
from sesfix.settings import AppSettings

SIMULATOR_SUCCESS = "success@simulator.amazonses.com"
SUBJECT = "sesfix test message"
BODY = "This is a test message sent by sesfix with the app's own SES credentials."

LOG_NOT_CONFIGURED = "❌ [Email Service - SES] AWS credentials not configured..."
LOG_INIT = "🔧 [Email Service - SES] Initializing AWS SES client..."
LOG_SENDING = "📤 [Email Service - SES] Sending email via AWS SES..."
LOG_SENT = "✅ [Email Service - SES] Email sent successfully"
LOG_ERROR = "❌ [Email Service - SES] Error: {code}"


@dataclass(frozen=True)
class TestSendResult:
    ok: bool
    lines: tuple[str, ...]
    recipient: str
    error_code: str = ""
    message: str = ""
    message_id: str = ""
    record: CallRecord | None = None
    #: A ``MessageRejected`` decoded, each identity it names checked in SES (else None).
    rejection: RejectionReport | None = None


def send_test_email(
    settings: AppSettings,
    to: str = SIMULATOR_SUCCESS,
    *,
    listeners: Iterable[Listener] = (),
    operator: OperatorSpec | None = None,
) -> TestSendResult:
    """Send one message as the app would (its credentials and region exactly as given).

    When SES rejects it (``MessageRejected``: an identity is not verified), the identities
    its message names are checked in SES, as the app and else as ``operator`` (who only
    reads: the send itself is always the app's)."""
    to = to.strip() or SIMULATOR_SUCCESS
    creds = app_credentials(settings)
    if creds is None:
        return TestSendResult(False, (LOG_NOT_CONFIGURED,), to, error_code="NoCredentials")
    region = settings.clean_region
    sender = settings.sender_address
    lines = [LOG_INIT]
    if not region or not sender:
        missing = "AWS_SES_REGION" if not region else "EMAIL_FROM"
        lines.append(LOG_ERROR.format(code="InvalidParameterValue") + f" ({missing} is not set)")
        return TestSendResult(False, tuple(lines), to, error_code="InvalidParameterValue")
    scrub = tuple(s for s in (settings.secret_access_key, settings.session_token) if s is not None)
    gateway = Gateway(
        Identities(creds, operator),
        listeners=list(listeners),
        scrub=scrub,
        write_guard=lambda call: call == "ses:SendEmail",
    )
    lines.append(LOG_SENDING)
    result = gateway.write(
        "app",
        "ses",
        "send_email",
        region,
        Source=sender,
        Destination={"ToAddresses": [to]},
        Message={
            "Subject": {"Data": SUBJECT},
            "Body": {"Text": {"Data": BODY}},
        },
    )
    if result.ok:
        message_id = str((result.data or {}).get("MessageId", ""))
        lines.append(LOG_SENT + (f" (MessageId {message_id})" if message_id else ""))
        return TestSendResult(True, tuple(lines), to, message_id=message_id, record=result.record)
    code = result.error_code or result.record.outcome
    lines.append(LOG_ERROR.format(code=code))
    if result.error_message:
        lines.append(f"   {result.error_message[:200]}")
    rejection = None
    if code == "MessageRejected" and result.error_message:
        readers: tuple[IdentityName, ...] = (
            ("app", "operator") if gateway.identities.has_operator else ("app",)
        )
        rejection = explain_rejection(
            gateway,
            region,
            result.error_message,
            sender=sender,
            recipients=[to],
            readers=readers,
        )
    return TestSendResult(
        False,
        tuple(lines),
        to,
        error_code=code,
        message=result.error_message,
        record=result.record,
        rejection=rejection,
    )


__all__ = ["SIMULATOR_SUCCESS", "TestSendResult", "send_test_email"]
