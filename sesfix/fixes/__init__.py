"""Fixes: plan -> preview -> confirm -> apply -> verify -> record -> undo.

No Textual here, and nothing prints: front-ends (``sesfix fix``, the wizard) show a
:class:`Plan`, ask, then call :func:`apply_plan` from a worker thread and show its
:class:`ApplyResult`. Progress lines for people arrive through the ``progress`` callback.

Life of an AWS fix:

1. :func:`plan_fix` reads the current state as the operator (reads only) and returns the
   exact calls and documents it would send, each with its AWS CLI equivalent. A fix
   already in place is a ``noop`` plan; a fix that must not run has ``refused`` set.
2. The person confirms; :func:`apply_plan` refuses (``RefusedError``) unless
   ``confirmed=True``. Writes go through ``Gateway.write`` as the operator, whose
   ``write_guard`` only passes for a confirmed plan's own calls.
3. Before each call its intent is appended to the audit log, after it its result, so an
   interruption leaves the log exact and :func:`undo` can finish from there.
4. Verification re-probes as the app identity, with back-off, until the change has
   propagated or ``verify_timeout`` seconds passed.

Fix ids are a public contract (see :data:`FIX_CATALOGUE`).

Where things live: each fix is one declared object in its family's module (``iam``,
``keys``, ``domain``, ``account``, ``variables``), registered in ``catalogue``; the shared
mechanics are ``context`` (planning and verification context), ``recorded`` (write one
recorded call), ``apply`` and ``reverse`` (undo; not named ``undo`` so the module never shadows the
:func:`undo` function of this package).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from sesfix.config import VERIFY_TIMEOUT
from sesfix.fixes.catalogue import FIX_CATALOGUE, GUIDANCE_FIXES, fix_spec
from sesfix.fixes.model import (
    ApplyResult,
    AuditCall,
    AuditEntry,
    CallOutcome,
    FixSpec,
    InputField,
    MissingPermission,
    NewKey,
    Plan,
    PlannedCall,
    UndoCall,
    UndoResult,
    VariableChange,
)

if TYPE_CHECKING:
    from sesfix.aws.gateway import Listener
    from sesfix.aws.identity import OperatorSpec
    from sesfix.diagnosis.report import Report
    from sesfix.settings import AppSettings

Progress = Callable[[str], None]

#: The verification wait when neither the caller nor SESFIX_VERIFY_TIMEOUT says otherwise.
DEFAULT_VERIFY_TIMEOUT = VERIFY_TIMEOUT.default


def plan_fix(
    fix_id: str,
    report: Report,
    settings: AppSettings,
    *,
    operator: OperatorSpec | None,
    inputs: Mapping[str, str] | None = None,
    listeners: tuple[Listener, ...] = (),
) -> Plan:
    """What ``fix_id`` would change, from ``report``'s context; makes read calls only.

    Raises ``UsageError`` for an unknown fix id. Never writes to AWS. For a fix that
    needs typed values (``request-production-access``, choosing which key to delete)
    the plan lists ``inputs_needed`` until ``inputs`` supplies them.
    """
    from sesfix.fixes.catalogue import plan_fix as _plan

    return _plan(fix_id, report, settings, operator=operator, inputs=inputs, listeners=listeners)


def apply_plan(
    plan: Plan,
    *,
    settings: AppSettings,
    operator: OperatorSpec | None,
    confirmed: bool,
    progress: Progress | None = None,
    verify_timeout: float | None = None,
    listeners: tuple[Listener, ...] = (),
    cancel: threading.Event | None = None,
) -> ApplyResult:
    """Apply a confirmed plan as the operator, record it, verify it as the app.

    Raises ``RefusedError`` when ``confirmed`` is false (nothing is sent). A noop or
    guidance plan returns at once with status ``noop`` and no AWS call. AWS refusing a
    call is not raised: the result says what was and was not done (``missing_permission``
    names the IAM action the operator lacked and a minimal policy granting it).
    ``verify_timeout`` None means SESFIX_VERIFY_TIMEOUT, else its default (an invalid value
    is a ``UsageError``). Setting ``cancel`` stops the verification wait (the change itself stays applied and
    recorded; ``verified`` is then None).
    """
    from sesfix.fixes.apply import apply_plan as _apply

    return _apply(
        plan,
        settings=settings,
        operator=operator,
        confirmed=confirmed,
        progress=progress,
        verify_timeout=verify_timeout,
        listeners=listeners,
        cancel=cancel,
    )


def undo(
    entry_id: str | None = None,
    *,
    operator: OperatorSpec | None,
    confirmed: bool,
    progress: Progress | None = None,
    listeners: tuple[Listener, ...] = (),
    force: bool = False,
) -> UndoResult:
    """Reverse a recorded change (``None``: the last one not yet undone, of the last 24 h).

    Raises ``RefusedError`` when not confirmed (or ``--last`` finds only an older change),
    ``UsageError`` for an unknown entry. Status ``refused`` (nothing sent) when the
    operator works in another account than the change, or when AWS moved on since the
    change (``drift``) and ``force`` is false. Undo calls run as the operator, newest
    first, only those the fix declares as inverses, and are themselves recorded.
    """
    from sesfix.fixes.reverse import undo as _undo

    return _undo(
        entry_id,
        operator=operator,
        confirmed=confirmed,
        progress=progress,
        listeners=listeners,
        force=force,
    )


def list_entries() -> list[AuditEntry]:
    """Every entry of the audit log, oldest first (a truncated last line is skipped)."""
    from sesfix.fixes.audit import read_entries

    return read_entries()


def undo_preview(entry_id: str | None = None) -> tuple[AuditEntry, list[str]]:
    """The entry ``undo`` would reverse and the AWS CLI commands it would run."""
    from sesfix.fixes.reverse import undo_preview as _preview

    return _preview(entry_id)


__all__ = [
    "DEFAULT_VERIFY_TIMEOUT",
    "FIX_CATALOGUE",
    "GUIDANCE_FIXES",
    "ApplyResult",
    "AuditCall",
    "AuditEntry",
    "CallOutcome",
    "FixSpec",
    "InputField",
    "MissingPermission",
    "NewKey",
    "Plan",
    "PlannedCall",
    "UndoCall",
    "UndoResult",
    "VariableChange",
    "apply_plan",
    "fix_spec",
    "list_entries",
    "plan_fix",
    "undo",
    "undo_preview",
]
