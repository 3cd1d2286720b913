"""Every enum value the PWA shows has a label in both languages, and the two translation files
hold the same keys, each once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from backend.models import (
    Channel,
    DroppedReason,
    FlagKind,
    PhotoKind,
    PlanStatus,
    ReviewStatus,
    Role,
    Tier,
    VisitStatus,
)
from backend.planning.roads import MODES
from backend.schemas.visits import PROMO_TYPES

I18N = Path(__file__).resolve().parents[1] / "pwa" / "static" / "i18n"
LANGUAGES = ("en", "zh-Hans")
OUTBOX_STATUSES = ("pending", "sending", "sent", "failed")  # pwa/static/js/outbox.js

# The key prefix each enum's labels use in the screens.
LABELS = {
    "channel": [c.value for c in Channel],
    "tier": [t.value for t in Tier],
    "flag": [f.value for f in FlagKind],
    "kind": [k.value for k in PhotoKind],
    "promo": list(PROMO_TYPES),
    "role": [r.value for r in Role],
    "plan": [p.value for p in PlanStatus],
    "vstatus": [v.value for v in VisitStatus],
    # A photo without a review is "pending" (the reports API says so), not a stored status.
    "review": ["pending", *(r.value for r in ReviewStatus)],
    "status": list(OUTBOX_STATUSES),
    "plans.dropped": [r.value for r in DroppedReason],
    "travel": list(MODES),
}


def no_duplicates(pairs: list[tuple[str, str]]) -> dict[str, str]:
    keys = [k for k, _ in pairs]
    repeated = sorted({k for k in keys if keys.count(k) > 1})
    assert not repeated, f"keys given twice: {repeated}"
    return dict(pairs)


def strings(language: str) -> dict[str, str]:
    text = (I18N / f"{language}.json").read_text(encoding="utf-8")
    return json.loads(text, object_pairs_hook=no_duplicates)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("prefix", sorted(LABELS))
def test_every_enum_value_has_a_label(language, prefix):
    texts = strings(language)
    missing = [v for v in LABELS[prefix] if not texts.get(f"{prefix}.{v}", "").strip()]
    assert not missing, f"{language}: no label for {prefix}.{missing}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_integrity_flag_has_its_sentence(language):
    texts = strings(language)
    wanted = [f"flagmsg.{f.value}" for f in FlagKind if f is not FlagKind.CLOCK_SKEW]
    wanted += ["flagmsg.clock_skew.ahead", "flagmsg.clock_skew.behind"]
    assert not [k for k in wanted if k not in texts]


def test_both_languages_have_the_same_keys_each_once():
    en, zh = (set(strings(language)) for language in LANGUAGES)
    assert en - zh == set(), "only in English"
    assert zh - en == set(), "only in Chinese"


@pytest.mark.parametrize("language", LANGUAGES)
def test_one_key_per_line(language):
    """Helpers add keys side by side: one key per line keeps their edits from colliding."""
    lines = (I18N / f"{language}.json").read_text(encoding="utf-8").strip().split("\n")
    assert lines[0] == "{" and lines[-1] == "}"
    assert len(lines) - 2 == len(strings(language))
