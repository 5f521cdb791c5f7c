"""The practice account's front desk: where moto does not answer as AWS would, this layer does.

A WSGI layer in front of moto's server, in the same process (so it reads moto's own state):

* **Key status.** AWS refuses every request signed with an Inactive access key
  (``InvalidClientTokenId``; SESv2 spells it ``UnrecognizedClientException``). moto ignores
  the status, so without this an Inactive key would still send mail in practice.
* **Calls moto lacks** (only with ``fill_gaps``): ``iam:SimulatePrincipalPolicy``, answered by
  evaluating the user's inline, managed and group policies with sesfix's own evaluator
  (:mod:`sesfix.aws.policy`, via :mod:`sesfix.demo.simulate`); ``sesv2:GetAccount`` (``GET /v2/email/account``), answered
  from the account's state (sandbox or production, the quota, what moto counted as sent);
  ``sesv2:PutAccountDetails`` (the production-access request: accepted, then PENDING review,
  as AWS does — practice never grants production access by itself).
  Each goes through moto's own authentication first (signature, then the caller's permission),
  so a caller AWS would refuse is refused here the same way.
* **SESv2 errors in SESv2's format** (with ``fill_gaps``): moto answers SESv2 requests'
  authentication errors as XML, which botocore reads as a bare HTTP status; AWS answers
  JSON with ``x-amzn-ErrorType``. The front rewrites them, with SESv2's error names.

The test suite's shared server runs without ``fill_gaps``, so the engine's fall-backs for an
account that cannot answer those calls stay covered; ``sesfix demo`` and ``--demo`` run with it.
"""

from __future__ import annotations

import io
import json
import threading
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

IAM_NS = "https://iam.amazonaws.com/doc/2010-05-08/"
#: SESv2 (rest-json) names for the errors moto raises with query-protocol names.
SESV2_ERROR_NAMES = {
    "AccessDenied": "AccessDeniedException",
    "InvalidClientTokenId": "UnrecognizedClientException",
    "SignatureDoesNotMatch": "InvalidSignatureException",
}
INVALID_TOKEN_MESSAGE = "The security token included in the request is invalid."
#: SES's limits for an account in the sandbox, and the default once production access is granted.
SANDBOX_QUOTA = (200.0, 1.0)
PRODUCTION_QUOTA = (50000.0, 14.0)


@dataclass
class AccountState:
    """What ``sesv2:GetAccount`` reports, beside what moto keeps (identities, sent count)."""

    production_access: bool = False
    sending_enabled: bool = True
    enforcement_status: str = "HEALTHY"
    #: region -> what ``sesv2:PutAccountDetails`` asked for, with its review (AWS's ``Details``).
    details: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class _Answer:
    status: int
    body: bytes
    headers: tuple[tuple[str, str], ...]


def _request_id() -> str:
    return str(uuid.uuid4())


def _query_error(status: int, code: str, message: str) -> _Answer:
    body = (
        f'<ErrorResponse xmlns="{IAM_NS}"><Error><Type>Sender</Type>'
        f"<Code>{escape(code)}</Code><Message>{escape(message)}</Message></Error>"
        f"<RequestId>{_request_id()}</RequestId></ErrorResponse>"
    )
    return _Answer(status, body.encode(), (("Content-Type", "text/xml"),))


def _json_error(status: int, code: str, message: str) -> _Answer:
    name = SESV2_ERROR_NAMES.get(code, code)
    return _Answer(
        status,
        json.dumps({"message": message}).encode(),
        (
            ("Content-Type", "application/json"),
            ("x-amzn-ErrorType", name),
            ("x-amzn-RequestId", _request_id()),
        ),
    )


def _between(text: str, first: str, second: str) -> str:
    return text.partition(first)[2].partition(second)[0]


@dataclass(frozen=True)
class _Signed:
    """What the SigV4 Authorization header says: key ID, region and service signed for."""

    key_id: str
    region: str
    service: str

    @classmethod
    def parse(cls, header: str) -> _Signed | None:
        scope = _between(header, "Credential=", ",").split("/")
        if len(scope) < 4 or not scope[0]:
            return None
        return cls(scope[0], scope[2], scope[3])


class Front:
    """The WSGI layer; ``app`` is moto's own application."""

    def __init__(self, app: WSGIApp, *, account_id: str, fill_gaps: bool) -> None:
        self.app = app
        self.account_id = account_id
        self.fill_gaps = fill_gaps
        self.state = AccountState()
        self._lock = threading.Lock()

    # -- WSGI ----------------------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        answer = self._answer(environ)
        if answer is None:
            if self.fill_gaps and environ.get("PATH_INFO", "").startswith("/v2/"):
                return self._sesv2_errors_as_json(environ, start_response)
            return self.app(environ, start_response)
        return self._send(answer, start_response)

    @staticmethod
    def _send(answer: _Answer, start_response: StartResponse) -> list[bytes]:
        from http import HTTPStatus

        reason = HTTPStatus(answer.status).phrase
        headers = [*answer.headers, ("Content-Length", str(len(answer.body)))]
        start_response(f"{answer.status} {reason}", headers)
        return [answer.body]

    def _answer(self, environ: dict[str, Any]) -> _Answer | None:
        """An answer of the front's own, or None to let moto answer."""
        signed = _Signed.parse(environ.get("HTTP_AUTHORIZATION", ""))
        if signed is None or not _auth_enforced():
            return None
        sesv2 = environ.get("PATH_INFO", "").startswith("/v2/")
        if self._key_status(signed) == "Inactive":
            error = _json_error if sesv2 else _query_error
            return error(403, "InvalidClientTokenId", INVALID_TOKEN_MESSAGE)
        if not self.fill_gaps:
            return None
        method = environ.get("REQUEST_METHOD", "GET")
        if sesv2 and method == "GET" and environ.get("PATH_INFO") == "/v2/email/account":
            return self._get_account(environ, signed)
        if sesv2 and method == "POST" and environ.get("PATH_INFO") == "/v2/email/account/details":
            return self._put_account_details(environ, signed)
        if signed.service == "iam" and method == "POST":
            body = _read_body(environ)
            form = {k: v[-1] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
            if form.get("Action") == "SimulatePrincipalPolicy":
                return self._simulate(environ, body, form)
        return None

    # -- key status ----------------------------------------------------------------------

    def _iam(self, region: str) -> Any:
        from moto.iam.models import iam_backends
        from moto.utilities.utils import get_partition

        return iam_backends[self.account_id][get_partition(region)]

    def _key_status(self, signed: _Signed) -> str | None:
        try:
            users = list(self._iam(signed.region).users.values())
        except KeyError:  # a partition moto has no backend for: no user, moto answers
            return None
        for user in users:
            for key in user.access_keys:
                if key.access_key_id == signed.key_id:
                    return str(key.status)
        return None

    # -- authentication, as moto does it for its own calls ---------------------------------

    def _authenticate(
        self, environ: dict[str, Any], body: bytes, data: Mapping[str, str], action: str
    ) -> tuple[int, str, str] | None:
        """None if moto's IAM checks let the caller make ``action``; else (status, code,
        message) of AWS's refusal."""
        from moto.iam.access_control import IAMRequest
        from werkzeug.datastructures import EnvironHeaders
        from werkzeug.exceptions import HTTPException

        path = environ.get("PATH_INFO", "/")
        if environ.get("QUERY_STRING"):
            path += "?" + environ["QUERY_STRING"]
        try:
            request = IAMRequest(
                account_id=self.account_id,
                method=environ.get("REQUEST_METHOD", "GET"),
                path=path,
                data=dict(data),
                body=body,
                headers=EnvironHeaders(environ),  # type: ignore[arg-type]
                action=action,
            )
            request.check_signature()
            request.check_action_permitted("*")
        except HTTPException as exc:
            code = str(getattr(exc, "error_type", "") or "AccessDenied")
            message = str(getattr(exc, "message", "") or exc.description or code)
            return int(exc.code or 403), code, message
        return None

    # -- sesv2:GetAccount ----------------------------------------------------------------

    def _get_account(self, environ: dict[str, Any], signed: _Signed) -> _Answer:
        refused = self._authenticate(environ, b"", {}, "GetAccount")
        if refused is not None:
            return _json_error(*refused)
        from moto.ses.models import ses_backends

        sent = float(ses_backends[self.account_id][signed.region].sent_message_count)
        state = self.state
        max24, rate = PRODUCTION_QUOTA if state.production_access else SANDBOX_QUOTA
        doc = {
            "DedicatedIpAutoWarmupEnabled": False,
            "EnforcementStatus": state.enforcement_status,
            "ProductionAccessEnabled": state.production_access,
            "SendQuota": {"Max24HourSend": max24, "MaxSendRate": rate, "SentLast24Hours": sent},
            "SendingEnabled": state.sending_enabled,
            "SuppressionAttributes": {"SuppressedReasons": []},
        }
        with self._lock:
            details = state.details.get(signed.region)
        if details is not None:
            doc["Details"] = details
        return _Answer(
            200,
            json.dumps(doc).encode(),
            (("Content-Type", "application/json"), ("x-amzn-RequestId", _request_id())),
        )

    # -- sesv2:PutAccountDetails ----------------------------------------------------------

    def _put_account_details(self, environ: dict[str, Any], signed: _Signed) -> _Answer:
        """The production-access request: accepted, then under review (AWS decides within
        about a day; the practice account never grants it by itself)."""
        body = _read_body(environ)
        refused = self._authenticate(environ, body, {}, "PutAccountDetails")
        if refused is not None:
            return _json_error(*refused)
        try:
            asked = json.loads(body or b"{}")
        except ValueError:
            return _json_error(400, "BadRequestException", "the request body is not JSON")
        if not isinstance(asked, dict):
            return _json_error(400, "BadRequestException", "the request body is not an object")
        missing = [k for k in ("MailType", "WebsiteURL") if not asked.get(k)]
        if missing:
            return _json_error(400, "BadRequestException", f"{', '.join(missing)} is required")
        if asked["MailType"] not in ("MARKETING", "TRANSACTIONAL"):
            return _json_error(
                400, "BadRequestException", "MailType must be MARKETING or TRANSACTIONAL"
            )
        details = {
            k: asked[k]
            for k in (
                "MailType",
                "WebsiteURL",
                "ContactLanguage",
                "UseCaseDescription",
                "AdditionalContactEmailAddresses",
            )
            if k in asked
        }
        details["ReviewDetails"] = {"Status": "PENDING", "CaseId": str(uuid.uuid4().int)[:10]}
        with self._lock:
            self.state.details[signed.region] = details
        return _Answer(
            200,
            b"{}",
            (("Content-Type", "application/json"), ("x-amzn-RequestId", _request_id())),
        )

    # -- iam:SimulatePrincipalPolicy -------------------------------------------------------

    def _simulate(self, environ: dict[str, Any], body: bytes, form: dict[str, str]) -> _Answer:
        refused = self._authenticate(environ, body, form, "SimulatePrincipalPolicy")
        if refused is not None:
            return _query_error(*refused)
        arn = form.get("PolicySourceArn", "")
        actions = [v for k, v in sorted(form.items(), key=_member_order) if _is_member(k)]
        if not actions:
            return _query_error(400, "ValidationError", "ActionNames must not be empty")
        if ":user/" not in arn:
            return _query_error(
                400, "InvalidInput", f"the practice account simulates IAM users only, not {arn}"
            )
        name = arn.rsplit("/", 1)[-1]
        iam = self._iam("us-east-1")
        user = iam.users.get(name)
        if user is None:
            return _query_error(404, "NoSuchEntity", f"The user with name {name} cannot be found.")
        from sesfix.demo.simulate import (
            context_from_form,
            simulate_action,
            simulate_send,
            user_policies,
        )

        policies = user_policies(iam, user)
        # With the identity ARNs and the send's context (the exact send), AWS judges each
        # Resource pattern and Condition; sesfix's evaluator does the same here.
        resources = [
            v for k, v in sorted(form.items(), key=_member_order) if k.startswith("ResourceArns.")
        ]
        context = context_from_form(form)
        results = []
        for action in actions:
            exact = (
                simulate_send(action, resources or ["*"], context, policies)
                if resources or context
                else None
            )
            results.append(exact if exact is not None else simulate_action(action, policies))
        xml = (
            f'<SimulatePrincipalPolicyResponse xmlns="{IAM_NS}"><SimulatePrincipalPolicyResult>'
            f"<IsTruncated>false</IsTruncated><EvaluationResults>{''.join(results)}"
            "</EvaluationResults></SimulatePrincipalPolicyResult>"
            f"<ResponseMetadata><RequestId>{_request_id()}</RequestId></ResponseMetadata>"
            "</SimulatePrincipalPolicyResponse>"
        )
        return _Answer(200, xml.encode(), (("Content-Type", "text/xml"),))

    # -- SESv2 errors ----------------------------------------------------------------------

    def _sesv2_errors_as_json(
        self, environ: dict[str, Any], start_response: StartResponse
    ) -> Iterable[bytes]:
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            captured["status"], captured["headers"] = status, headers
            return lambda _data: None

        chunks = list(self.app(environ, capture))
        status = str(captured.get("status", "500 Internal Server Error"))
        headers = list(captured.get("headers", []))
        body = b"".join(chunks)
        code = int(status.split(" ", 1)[0])
        if code >= 400 and body.lstrip().startswith(b"<"):
            parsed = _xml_error(body)
            if parsed is not None:
                return self._send(_json_error(code, *parsed), start_response)
        start_response(status, headers)
        return [body]


def _xml_error(body: bytes) -> tuple[str, str] | None:
    from xml.etree import ElementTree

    try:
        root = ElementTree.fromstring(body)  # moto's own answer, from loopback
    except ElementTree.ParseError:
        return None
    code = next((e.text for e in root.iter() if e.tag.endswith("Code")), None)
    message = next((e.text for e in root.iter() if e.tag.endswith("Message")), None)
    return (code, message or code) if code else None


def _read_body(environ: dict[str, Any]) -> bytes:
    """The request body, read once and put back for moto."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    body = environ["wsgi.input"].read(length) if length > 0 else b""
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    return bytes(body)


def _is_member(key: str) -> bool:
    return key.startswith("ActionNames.member.")


def _member_order(item: tuple[str, str]) -> tuple[int, str]:
    key = item[0]
    suffix = key.rsplit(".", 1)[-1]
    return (int(suffix) if suffix.isdigit() else 0, key)


def _auth_enforced() -> bool:
    """moto's own switch (``/moto-api/reset-auth``): is IAM authentication on now?"""
    from moto import settings
    from moto.core.authorization import ActionAuthenticatorMixin

    return bool(ActionAuthenticatorMixin.request_count >= settings.INITIAL_NO_AUTH_ACTION_COUNT)


class FrontServer:
    """moto's threaded server with :class:`Front` before its application, on 127.0.0.1."""

    def __init__(self, *, port: int = 0, account_id: str, fill_gaps: bool) -> None:
        self._port = port
        self._account_id = account_id
        self._fill_gaps = fill_gaps
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self.front: Front | None = None

    def start(self) -> None:
        from moto.moto_server.werkzeug_app import (
            DomainDispatcherApplication,
            MotoRequestHandler,
            create_backend_app,
        )
        from werkzeug.serving import make_server

        self.front = Front(
            DomainDispatcherApplication(create_backend_app),
            account_id=self._account_id,
            fill_gaps=self._fill_gaps,
        )
        self._server = make_server(
            "127.0.0.1", self._port, self.front, True, request_handler=MotoRequestHandler
        )
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="sesfix-practice-server", daemon=True
        )
        self._thread.start()

    def get_host_and_port(self) -> tuple[str, int]:
        assert self._server is not None, "start() first"
        host, port = self._server.server_address[:2]
        return str(host), int(port)

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)
