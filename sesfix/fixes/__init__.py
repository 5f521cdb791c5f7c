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

from collections.abc import Callable

from sesfix.config import VERIFY_TIMEOUT
from sesfix.fixes.apply import apply_plan
from sesfix.fixes.audit import read_entries as list_entries
from sesfix.fixes.catalogue import FIX_CATALOGUE, GUIDANCE_FIXES, fix_spec, plan_fix
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
from sesfix.fixes.reverse import undo, undo_preview

Progress = Callable[[str], None]

#: The verification wait when neither the caller nor SESFIX_VERIFY_TIMEOUT says otherwise.
DEFAULT_VERIFY_TIMEOUT = VERIFY_TIMEOUT.default


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
