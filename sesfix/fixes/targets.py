"""What a plan's target fields are called for people, in both faces.

A plan's ``target`` is keyed for machines (``user``, ``key_id``, ``operator_arn``): the
keys stay in JSON and the audit log. People read the labels of ``plan.target.<key>`` in the
catalogues ("IAM user", "Access key", "Operator"; Vietnamese in ``vi``), in the wizard's plan
dialog and in ``sesfix fix``'s text alike. A key without a label is shown as it is.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from sesfix.locale import has, t
from sesfix.text import visible


def target_label(key: str) -> str:
    """What a plan's target field is called for people (``operator_arn`` → "Operator")."""
    return t(f"plan.target.{key}") if has(f"plan.target.{key}") else key


def target_line(target: Mapping[str, object]) -> str:
    """One line for a terminal: ``IAM user rental-app, Account 123456789012, …``."""
    return ", ".join(f"{target_label(k)} {v}" for k, v in target.items())


def source_text(source: str) -> str:
    """A settings source (``practice account (seed)``, ``environment``, a path) for people."""
    practice = re.fullmatch(r"practice account \((.+)\)", source)
    if practice is not None:
        return t("title.practice", scenario=visible(practice.group(1), limit=60))
    if source == "practice account":
        return t("title.practice_plain")
    if source == "environment":
        return t("title.environment")
    return visible(source, limit=120)


__all__ = ["source_text", "target_label", "target_line"]
