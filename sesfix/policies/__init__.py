"""The least-privilege IAM policies an operator needs, one JSON document per job.

* ``operator-diagnose.json``: everything ``sesfix check`` (and the wizard's diagnosis)
  asks as the operator. ``sts:GetCallerIdentity`` needs no permission.
* ``operator-fix-<fix id>.json``: what one AWS fix adds on top of it, undo included
  (applying a fix re-runs the diagnosis to verify, so a fix needs both documents).

Tests check each against the simulated account: with exactly these documents the job
is done; with one action removed, sesfix names the missing action.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

DIAGNOSE = "operator-diagnose.json"
#: Actions AWS allows to everyone (they need no statement).
ALWAYS_ALLOWED = frozenset({"sts:GetCallerIdentity"})


def file_name(fix_id: str | None = None) -> str:
    return DIAGNOSE if fix_id is None else f"operator-fix-{fix_id}.json"


def available() -> list[str]:
    """The fix ids that have a policy document."""
    out = []
    for entry in resources.files(__name__).iterdir():
        name = entry.name
        if name.startswith("operator-fix-") and name.endswith(".json"):
            out.append(name[len("operator-fix-") : -len(".json")])
    return sorted(out)


def load(fix_id: str | None = None) -> dict[str, Any]:
    """The policy document for diagnosis (``None``) or for one fix, exactly as shipped."""
    text = resources.files(__name__).joinpath(file_name(fix_id)).read_text(encoding="utf-8")
    doc: dict[str, Any] = json.loads(text)
    return doc


def operator_policy(fix_id: str | None = None) -> dict[str, Any]:
    """One document for the whole job: diagnosis, plus ``fix_id``'s statements if given."""
    statements = list(load()["Statement"])
    if fix_id is not None:
        statements.extend(load(fix_id)["Statement"])
    return {"Version": "2012-10-17", "Statement": statements}


def actions(doc: dict[str, Any]) -> set[str]:
    """Every action a document allows (as written; no wildcards are used)."""
    out: set[str] = set()
    for statement in doc.get("Statement", []):
        acts = statement.get("Action", [])
        out.update([acts] if isinstance(acts, str) else acts)
    return out


__all__ = [
    "ALWAYS_ALLOWED",
    "DIAGNOSE",
    "actions",
    "available",
    "file_name",
    "load",
    "operator_policy",
]
