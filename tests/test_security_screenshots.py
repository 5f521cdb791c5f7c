"""The screenshots and snapshot SVGs committed to the repository show no secret: no
secret-shaped token (40 characters of the secret alphabet, mixed case and digits), no
unmasked access key ID, no piece of the test sentinel."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from tests.conftest import SENTINEL_SECRET
from tests.support.leakcheck import assert_no_leak

ROOT = Path(__file__).resolve().parent.parent
IMAGES = sorted(
    p
    for d in (ROOT / "screenshots", ROOT / "tests" / "__snapshots__")
    if d.is_dir()
    for p in d.rglob("*.svg")
)
SECRET_SHAPE = re.compile(r"(?<![A-Za-z0-9/+=])[A-Za-z0-9/+=]{40}(?![A-Za-z0-9/+=])")
KEY_ID = re.compile(r"\b(?:AKIA|ASIA)[A-Z0-9]{16}\b")
TAG = re.compile(r"<[^>]+>")


def visible_text(svg: str) -> str:
    """The text a person sees: tags dropped, entities decoded (Textual pads with nbsp)."""
    return html.unescape(TAG.sub("", svg)).replace("\u00a0", " ")


@pytest.mark.skipif(not IMAGES, reason="no screenshots or snapshots in the repository")
@pytest.mark.parametrize("image", IMAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_secret_in_a_committed_image(image: Path) -> None:
    raw = image.read_text(encoding="utf-8", errors="replace")
    text = visible_text(raw)
    shaped = [
        m
        for m in SECRET_SHAPE.findall(text)
        if any(c.islower() for c in m)
        and any(c.isupper() for c in m)
        and any(c.isdigit() for c in m)
    ]
    assert not shaped, f"{len(shaped)} secret-shaped string(s) in {image.name}"
    assert not KEY_ID.findall(text), f"an unmasked access key ID in {image.name}"
    assert_no_leak({image.name: raw, f"{image.name} (text)": text}, SENTINEL_SECRET)


def test_the_check_sees_through_svg_markup() -> None:
    svg = (
        '<svg><text class="r1">AKIAIOSFO</text><text class="r2">DNN7EXAMPLE&#160;</text>'
        "<text>wJalrXUtnFEMI/K7MDENG/</text><text>bPxRfiCYEXAMPLEKEY</text></svg>"
    )
    text = visible_text(svg)
    assert KEY_ID.findall(text) == ["AKIAIOSFODNN7EXAMPLE"]
    assert SECRET_SHAPE.findall(text) == ["wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"]
