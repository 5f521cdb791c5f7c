"""A simulated AWS account on loopback: moto's threaded server, IAM authentication enforced.

Used by ``sesfix demo``, ``--demo SCENARIO``, the tests and the benchmark. It needs the
``demo`` extra (moto). Each scenario is a small declarative :class:`Scenario`; one
function builds any of them. Nothing here talks to the network beyond 127.0.0.1.

moto keeps its state per process, so one process holds one simulated account at a time:
:meth:`SimulatedAccount.load` resets it and builds a scenario afresh.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from typing import Any

from sesfix.aws.identity import OperatorSpec, StaticCredentials
from sesfix.demo.front import AccountState
from sesfix.demo.scenarios import (
    ACCOUNT_ID,
    ADMIN,
    FAULTS,
    OPERATOR_USER,
    S3_FULL,
    SCENARIOS,
    SES_FULL,
    Scenario,
    describe,
    pick_random_scenario,
    resolve_scenario,
)
from sesfix.masking import Secret


def _managed_policies_in_aws_partition_only() -> None:
    """Load AWS managed policies only where the practice account lives: the aws partition.

    moto builds one IAM backend per partition (aws, aws-cn, aws-us-gov, …) the first time an
    account is touched and loads its ~1,600 AWS managed policies into each: over a second of
    start-up, most of the practice account's preparation. The simulated account is in the
    ``aws`` partition; the others keep their users and keys but no AWS managed policies.
    """
    from moto.iam import models

    original = getattr(models.IAMBackend, "_init_aws_policies", None)
    if original is None or getattr(original, "_sesfix_aws_only", False):
        return  # another moto version (only slower) or already done

    def init_aws_policies(self: Any) -> list[Any]:
        if getattr(self, "partition", "aws") != "aws":
            return []
        policies: list[Any] = original(self)
        return policies

    init_aws_policies._sesfix_aws_only = True  # type: ignore[attr-defined]
    models.IAMBackend._init_aws_policies = init_aws_policies  # type: ignore[method-assign]


@dataclass
class SimulatedAccount:
    """A running moto server plus the credentials of the scenario loaded into it."""

    endpoint: str
    _server: Any = field(repr=False)
    scenario: Scenario | None = None
    app_env: dict[str, str] = field(default_factory=dict, repr=False)
    operator: OperatorSpec | None = field(default=None, repr=False)
    app_key_id: str = field(default="", repr=False)
    #: How the app's variables name their source; None: "practice account (SCENARIO)".
    label: str | None = None
    _session: Any = field(default=None, repr=False)
    #: The practice DNS (loopback), serving the scenario's domain.
    dns: Any = field(default=None, repr=False)
    #: The SMTP scenario's endpoint (``sesfix.demo.smtp.ScenarioEndpoint``), if any.
    smtp: Any = field(default=None, repr=False)

    # -- lifecycle -----------------------------------------------------------------------

    @classmethod
    def start(cls, port: int = 0, *, fill_gaps: bool = False) -> SimulatedAccount:
        """Start the server on 127.0.0.1 (``port`` 0: any free port).

        The front before moto (:mod:`sesfix.demo.front`) always refuses Inactive keys as AWS
        does; with ``fill_gaps`` it also answers the calls moto lacks
        (``iam:SimulatePrincipalPolicy``, ``sesv2:GetAccount``) as AWS would: practice mode
        uses it, the test suite's shared server does not (it covers the engine's fall-backs).
        """
        os.environ["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"
        for name in ("werkzeug", "moto"):
            logging.getLogger(name).setLevel(logging.CRITICAL)
        try:
            import moto.server  # noqa: F401 - the demo extra's web stack
        except ImportError as exc:  # pragma: no cover - depends on the install
            from sesfix.errors import UsageError

            raise UsageError(
                "the practice account needs the demo extra",
                hint="install it with: pip install 'sesfix[demo]'",
            ) from exc
        _managed_policies_in_aws_partition_only()
        from sesfix.demo import sending, sesv2
        from sesfix.demo.dns import LocalDns
        from sesfix.demo.front import FrontServer

        sesv2.install()
        sending.install()

        server = FrontServer(port=port, account_id=ACCOUNT_ID, fill_gaps=fill_gaps)
        server.start()
        host, real_port = server.get_host_and_port()
        dns = LocalDns().start()
        return cls(endpoint=f"http://{host}:{real_port}", _server=server, dns=dns)

    @property
    def dns_server(self) -> str | None:
        """``HOST:PORT`` of the practice DNS (for ``--dns-server`` / SESFIX_DNS_SERVER)."""
        return self.dns.server if self.dns is not None else None

    def stop(self) -> None:
        self._stop_smtp()
        self._server.stop()
        if self.dns is not None:
            self.dns.stop()

    def _stop_smtp(self) -> None:
        if self.smtp is not None:
            self.smtp.stop()
            self.smtp = None

    def smtp_environ(self) -> dict[str, str]:
        """sesfix's own variables that point its SMTP probe at this scenario's endpoint."""
        return dict(self.smtp.environ) if self.smtp is not None else {}

    def __enter__(self) -> SimulatedAccount:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- moto's control API --------------------------------------------------------------

    def _post(self, path: str, body: bytes = b"") -> bytes:
        import urllib.request

        req = urllib.request.Request(
            self.endpoint + path, data=body, method="POST", headers={"Content-Type": "text/plain"}
        )
        # Loopback only: never through an HTTP proxy from the environment.
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(req, timeout=10) as resp:
            return bytes(resp.read())

    def set_auth(self, enforced: bool) -> None:
        """Enforce IAM authentication (or lift it for set-up)."""
        self._post("/moto-api/reset-auth", b"0" if enforced else b"inf")

    def reset(self) -> None:
        self.set_auth(False)
        self._post("/moto-api/reset")

    # -- building ------------------------------------------------------------------------

    def client(
        self, service: str, region: str = "us-east-1", creds: StaticCredentials | None = None
    ) -> Any:
        import boto3
        import botocore.session
        from botocore.config import Config

        creds = creds or StaticCredentials("AKIAADMINSETUP000000", Secret("setup-secret-not-used"))
        if self._session is None:
            # Nobody's profile (AWS_PROFILE may name one that does not exist here).
            core = botocore.session.Session(session_vars={"profile": (None, None, None, None)})
            self._session = boto3.session.Session(botocore_session=core)
        session: Any = self._session
        return session.client(
            service,
            endpoint_url=self.endpoint,
            region_name=region,
            aws_access_key_id=creds.access_key_id,
            aws_secret_access_key=creds.secret_access_key.reveal(),
            # Loopback only: never through an HTTP proxy from the environment.
            config=Config(proxies={}, retries={"mode": "standard", "total_max_attempts": 2}),
        )

    def operator_client(self, service: str, region: str = "us-east-1") -> Any:
        assert self.operator is not None and self.operator.credentials is not None
        return self.client(service, region, self.operator.credentials)

    def load(self, scenario: Scenario | str) -> SimulatedAccount:
        """Reset the account and build ``scenario`` in it; auth is enforced afterwards."""
        sc = resolve_scenario(scenario) if isinstance(scenario, str) else scenario
        self._stop_smtp()
        self.reset()
        iam = self.client("iam")
        iam.create_user(UserName=OPERATOR_USER)
        iam.attach_user_policy(UserName=OPERATOR_USER, PolicyArn=ADMIN)
        op_key = iam.create_access_key(UserName=OPERATOR_USER)["AccessKey"]
        self.operator = OperatorSpec(
            credentials=StaticCredentials(op_key["AccessKeyId"], Secret(op_key["SecretAccessKey"]))
        )
        create_user: dict[str, Any] = {"UserName": sc.user}
        if sc.boundary:
            create_user["PermissionsBoundary"] = sc.boundary
        iam.create_user(**create_user)
        for arn in sc.managed_policies:
            iam.attach_user_policy(UserName=sc.user, PolicyArn=arn)
        for name, doc in sc.inline_policies:
            iam.put_user_policy(UserName=sc.user, PolicyName=name, PolicyDocument=json.dumps(doc))
        for group, arns in sc.groups:
            iam.create_group(GroupName=group)
            for arn in arns:
                iam.attach_group_policy(GroupName=group, PolicyArn=arn)
            iam.add_user_to_group(GroupName=group, UserName=sc.user)
        key = iam.create_access_key(UserName=sc.user)["AccessKey"]
        if sc.key_status != "Active":
            iam.update_access_key(
                UserName=sc.user, AccessKeyId=key["AccessKeyId"], Status=sc.key_status
            )
        for region in sc.verified_regions:
            self.client("ses", region).verify_domain_identity(Domain=sc.domain)
        from sesfix.demo import delivery

        delivery.prepare(self, sc, ACCOUNT_ID)  # test inboxes, suppression list, DNS zone
        from sesfix.demo.sending import Sending, declare

        # SES checks the sends as AWS does: recipients in the sandbox, a paused account.
        paused = sc.enforcement_status == "SHUTDOWN"
        declare(ACCOUNT_ID, Sending(sandbox=not sc.production_access, paused=paused))
        self.app_key_id = key["AccessKeyId"]
        env = {
            "AWS_ACCESS_KEY_ID": key["AccessKeyId"],
            "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"],
            "AWS_SES_REGION": sc.region,
            "EMAIL_PROVIDER": sc.provider,
            "EMAIL_FROM": sc.sender,
            **dict(sc.extra_env),
        }
        for variable, fault in sc.faults:
            env[variable] = FAULTS[fault](env[variable])
        if sc.smtp:
            from sesfix.demo.smtp import ScenarioEndpoint

            self.smtp = ScenarioEndpoint.start(
                sc.smtp, key["AccessKeyId"], Secret(key["SecretAccessKey"]), sc.region
            )
            env.update(self.smtp.app_env)
        self.app_env = env
        self.scenario = sc
        if self._server.front is not None:
            self._server.front.state = account_state(sc)
        self.set_auth(True)
        return self

    # -- the app's variables (the practice account's stand-in for Railway) ----------------

    def set_app_variable(self, name: str, value: str | None) -> Any:
        """Change (or, with ``None``, remove) one of the app's variables; returns the new
        :class:`~sesfix.settings.AppSettings`.

        A demo-only convenience: it simulates the learner updating the variables where the
        app runs (Railway) and redeploying, so guidance-only fixes can be applied in practice.
        """
        from sesfix.settings import VARIABLES

        if name not in VARIABLES and not name.startswith("SMTP_"):
            raise ValueError(f"{name} is not one of the app's variables")
        if value is None:
            self.app_env.pop(name, None)
        else:
            self.app_env[name] = value
        return self.app_settings()

    def app_settings(self) -> Any:
        from sesfix.settings import AppSettings

        if self.label:
            label = self.label
        elif self.scenario:
            label = f"practice account ({self.scenario.name})"
        else:
            label = "practice account"
        return AppSettings.from_mapping(self.app_env, label)

    def environ(self) -> dict[str, str]:
        """Variables that point boto3 at this account (and nowhere else)."""
        env = {"AWS_ENDPOINT_URL": self.endpoint}
        if self.dns_server:
            env["SESFIX_DNS_SERVER"] = self.dns_server
        if self.scenario is not None and self.scenario.recipient:
            env["SESFIX_TO"] = self.scenario.recipient
        return env


def account_state(sc: Scenario) -> AccountState:
    """What ``sesv2:GetAccount`` reports for the scenario: its sandbox, its enforcement
    and, for an account AWS reviewed, the review's details (as AWS keeps them per region)."""
    state = AccountState(
        production_access=sc.production_access,
        sending_enabled=sc.enforcement_status != "SHUTDOWN",
        enforcement_status=sc.enforcement_status,
    )
    if sc.enforcement_status != "HEALTHY":
        state.details[sc.region] = {
            "MailType": "TRANSACTIONAL",
            "WebsiteURL": f"https://{sc.domain}",
            "ContactLanguage": "EN",
            "UseCaseDescription": "Sign-up verification and booking receipts.",
            "ReviewDetails": {"Status": "GRANTED", "CaseId": "7294061835"},
        }
    return state


# The scenarios live in sesfix.demo.scenarios; importers of this module keep their names.
__all__ = [
    "ACCOUNT_ID",
    "ADMIN",
    "FAULTS",
    "OPERATOR_USER",
    "S3_FULL",
    "SCENARIOS",
    "SES_FULL",
    "Scenario",
    "SimulatedAccount",
    "describe",
    "pick_random_scenario",
    "resolve_scenario",
]
