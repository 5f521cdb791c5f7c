"""The data a fix passes around: specs, plans, results, audit entries.

Everything here is safe to show and to serialise: key IDs are masked where they are
meant for display, secrets live only in :class:`~sesfix.masking.Secret` (``NewKey.secret``)
and are never part of ``to_json``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from sesfix.masking import Secret

FixKind = Literal["aws", "guidance"]
CallStatus = Literal["ok", "failed", "not-run", "unknown"]
ApplyStatus = Literal["applied", "noop", "failed", "partial"]


@dataclass(frozen=True)
class FixSpec:
    """One fix of the catalogue. ``id`` is a public contract, like a finding id."""

    id: str
    title: str
    kind: FixKind
    #: Finding ids this fix answers.
    answers: tuple[str, ...]
    #: True when applying it needs the operator identity (every AWS fix does).
    needs_operator: bool
    #: True when ``undo`` can reverse it from the audit log.
    undoable: bool
    description: str = ""


@dataclass(frozen=True)
class InputField:
    """Something the person must type or choose before the plan can be applied."""

    name: str
    label: str
    default: str = ""
    choices: tuple[str, ...] = ()
    help: str = ""


@dataclass(frozen=True)
class PlannedCall:
    """One AWS API call a plan will make, as the operator, and how it is undone.

    ``undo`` lists the calls that reverse this one; a value of ``"{new}"`` inside
    them is filled from this call's answer at apply time (e.g. a new key's ID).
    """

    call: str  # "iam:AttachUserPolicy"
    service: str  # "iam"
    operation: str  # "attach_user_policy"
    region: str
    params: dict[str, Any]
    cli: str  # the AWS CLI command a person could run instead
    purpose: str = ""
    undo: tuple[UndoCall, ...] = ()
    #: True when undoing an earlier call of the plan also reverses this one
    #: (e.g. deleting a new identity removes its DKIM tokens too).
    covered: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "covered": self.covered,
            "call": self.call,
            "service": self.service,
            "operation": self.operation,
            "region": self.region,
            "params": self.params,
            "cli": self.cli,
            "purpose": self.purpose,
            "undo": [u.to_json() for u in self.undo],
        }


@dataclass(frozen=True)
class UndoCall:
    """A call that reverses (part of) a change; ``fill`` names params taken from the answer."""

    service: str
    operation: str
    region: str
    params: dict[str, Any]
    #: param name -> dotted path into the forward call's response (e.g. AccessKey.AccessKeyId)
    fill: dict[str, str] = field(default_factory=dict)
    #: Error codes meaning "already undone" (tolerated).
    tolerate: tuple[str, ...] = ("NoSuchEntity",)

    def to_json(self) -> dict[str, Any]:
        return {
            "service": self.service,
            "operation": self.operation,
            "region": self.region,
            "params": self.params,
            "fill": self.fill,
            "tolerate": list(self.tolerate),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> UndoCall:
        return cls(
            service=data["service"],
            operation=data["operation"],
            region=data["region"],
            params=dict(data.get("params", {})),
            fill=dict(data.get("fill", {})),
            tolerate=tuple(data.get("tolerate", ("NoSuchEntity",))),
        )


@dataclass(frozen=True)
class VariableChange:
    """One change to the app's variables a guidance fix prescribes (``value`` None: remove it).

    The value is a :class:`Secret` whatever the variable: a cleaned secret must never be
    printed by a log line or a repr. Practice mode applies these as they are.
    """

    name: str
    value: Secret | None

    @property
    def remove(self) -> bool:
        return self.value is None


@dataclass
class Plan:
    """What a fix will do, before it does it. Shown in the confirmation modal / terminal."""

    fix_id: str
    title: str
    kind: FixKind
    summary: str
    calls: list[PlannedCall] = field(default_factory=list)
    #: Documents the calls send (policy JSON), by name.
    documents: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: A unified diff when an existing document is replaced; empty otherwise.
    diff: str = ""
    #: For guidance fixes (and after AWS fixes): exact "variable -> value" steps, secrets masked.
    guidance: list[str] = field(default_factory=list)
    noop: bool = False
    noop_reason: str = ""
    #: Non-empty when the fix must not be applied at all (app user missing, other account...).
    refused: str = ""
    warnings: list[str] = field(default_factory=list)
    inputs_needed: list[InputField] = field(default_factory=list)
    #: Optional choices with defaults (variants); pass them back through ``inputs``.
    options: list[InputField] = field(default_factory=list)
    #: The inputs this plan was made with (for re-planning and the audit log).
    inputs: dict[str, str] = field(default_factory=dict)
    #: Set when a read the plan needed was refused to the operator.
    missing_permission: MissingPermission | None = None
    #: What verification will check after applying.
    verify: str = ""
    #: For guidance fixes: the variable changes the guidance describes, as data (never JSON).
    changes: list[VariableChange] = field(default_factory=list)
    #: Where the change lands: user, account, region, domain, key id (masked).
    target: dict[str, Any] = field(default_factory=dict)

    @property
    def applicable(self) -> bool:
        """True when ``apply_plan`` would make AWS calls."""
        return (
            self.kind == "aws"
            and not self.noop
            and not self.refused
            and not self.inputs_needed
            and bool(self.calls)
        )

    def cli_commands(self) -> list[str]:
        return [c.cli for c in self.calls]

    def key_ids(self) -> list[str]:
        """The access key IDs the calls name, in full: a copied command carries them (its
        shown form masks them), so it runs as copied."""
        from sesfix.masking import key_ids_in

        return key_ids_in([c.params for c in self.calls])

    def to_json(self) -> dict[str, Any]:
        return {
            "fix_id": self.fix_id,
            "title": self.title,
            "kind": self.kind,
            "summary": self.summary,
            "calls": [c.to_json() for c in self.calls],
            "documents": self.documents,
            "diff": self.diff,
            "guidance": self.guidance,
            "noop": self.noop,
            "noop_reason": self.noop_reason,
            "refused": self.refused,
            "warnings": self.warnings,
            "inputs_needed": [i.__dict__ for i in self.inputs_needed],
            "options": [i.__dict__ for i in self.options],
            "inputs": self.inputs,
            "verify": self.verify,
            "target": self.target,
        }


@dataclass(frozen=True)
class CallOutcome:
    """What happened to one planned (or undo) call."""

    call: str
    cli: str
    status: CallStatus
    error_code: str = ""
    message: str = ""


@dataclass(frozen=True)
class MissingPermission:
    """The operator lacked a right: which action, and a minimal policy granting it."""

    action: str
    policy: dict[str, Any]

    def describe(self) -> str:
        import json

        from sesfix.lang import say

        policy = json.dumps(self.policy, indent=2)
        return say("plans.missing_permission", action=self.action, policy=policy)


@dataclass(frozen=True)
class NewKey:
    """A key created by rotate-access-key: shown once, stored in the keyring, never logged."""

    access_key_id: str
    secret: Secret
    user: str
    keyring_stored: bool
    keyring_label: str
    keyring_detail: str = ""

    @property
    def masked(self) -> str:
        from sesfix.masking import mask_key_id

        return mask_key_id(self.access_key_id)


@dataclass
class ApplyResult:
    fix_id: str
    status: ApplyStatus
    entry_id: str = ""
    calls: list[CallOutcome] = field(default_factory=list)
    #: None when there was nothing to verify (noop, failure before any change).
    verified: bool | None = None
    verification_detail: str = ""
    new_key: NewKey | None = None
    missing_permission: MissingPermission | None = None
    message: str = ""
    #: Follow-up steps for people (e.g. put the new key into Railway and redeploy).
    guidance: list[str] = field(default_factory=list)
    #: Non-empty when a line of this change could not be written to the audit log (why).
    audit_incomplete: str = ""

    @property
    def ok(self) -> bool:
        return self.status in ("applied", "noop")


@dataclass
class AuditCall:
    """One call as the audit log knows it (folded from its intent and result lines)."""

    seq: int
    call: str
    params: dict[str, Any]
    cli: str
    status: CallStatus
    error_code: str = ""
    undo: list[UndoCall] = field(default_factory=list)
    #: For a call of an undo entry: (seq of the reversed call, index of its undo call).
    reverses: tuple[int, ...] | None = None
    #: Reversed by undoing an earlier call of the same entry.
    covered: bool = False
    #: Line numbers in the audit log: of the intent, and of the line the undo calls came from.
    line: int = 0
    undo_line: int = 0


@dataclass
class AuditEntry:
    """One applied change (or one undo), folded from its lines in the audit log."""

    id: str
    time: str
    fix_id: str
    operator_arn: str
    kind: Literal["apply", "undo"] = "apply"
    status: str = "started"
    target: dict[str, Any] = field(default_factory=dict)
    calls: list[AuditCall] = field(default_factory=list)
    #: For an undo entry: the entry it reversed. For an apply entry: the undo that reversed it.
    undoes: str = ""
    undone_by: str = ""
    verified: bool | None = None
    note: str = ""
    #: The account the operator acted in (from sts:GetCallerIdentity); "" in old entries.
    account: str = ""
    #: ``real``, or ``practice:<scenario>``.
    origin: str = "real"
    #: For a practice entry: the practice account (run) it was made in.
    practice_run: str = ""
    #: The line of the entry's ``begin`` record in the audit log.
    line: int = 0

    @property
    def changed_anything(self) -> bool:
        return any(c.status in ("ok", "unknown") for c in self.calls)

    def key_ids(self) -> list[str]:
        """The access key IDs its calls and their undo calls name, in full (for copying)."""
        from sesfix.masking import key_ids_in

        return key_ids_in([[c.params, [u.params for u in c.undo]] for c in self.calls])


@dataclass
class UndoResult:
    entry_id: str
    undo_entry_id: str
    status: Literal["undone", "partial", "failed", "nothing", "refused"]
    calls: list[CallOutcome] = field(default_factory=list)
    message: str = ""
    missing_permission: MissingPermission | None = None
    #: How AWS differs from what the change left (undo refuses these unless forced).
    drift: list[str] = field(default_factory=list)
    #: Non-empty when a line of the undo could not be written to the audit log (why).
    audit_incomplete: str = ""
