"""The data the emotion and intent models learn from and are measured on, each with its role.

Third-party reviews (read at training time from the shared corpus, never copied into the repository):

* ``waimai_train.csv`` — SophonPlus/ChineseNlpCorpus ``waimai_10k`` (food-delivery reviews);
* ``online_shopping_train.csv`` — SophonPlus/ChineseNlpCorpus ``online_shopping_10_cats``;
* ``eprstmt_train.json`` / ``eprstmt_dev.json`` — CLUEbenchmark/FewCLUE ``eprstmt`` (e-commerce reviews).

Roles: a CSV row is *train* when the hash bucket (0..99) of its text is below ``CALIBRATION_BUCKET``,
*calibration* (fits how the two signals combine; no base model sees it) up to ``DEV_BUCKET``, and *dev*
from there; ``eprstmt_train`` is train and ``eprstmt_dev`` dev.  The product owner keeps other rows of the
same collections back as the real test, so every figure on these files is a train or dev figure.

The repository's own sets (``kefu/assist/data``, ``kefu/bot/data``): ``*_train.jsonl`` train (and
``calm_train.jsonl``: plain questions and requests written here as calm examples), ``*_dev.jsonl`` dev
(looked at while tuning), ``*_test.jsonl`` test (frozen before any tuning, only reported on).

The corpus directory is ``$KEFU_SENTIMENT_CORPUS``, by default ``../shared/corpus/sentiment`` next to
the checkout.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

CALIBRATION_BUCKET = 86
DEV_BUCKET = 90
CSV_FILES = ("waimai_train.csv", "online_shopping_train.csv")
JSON_FILES = ("eprstmt_train.json", "eprstmt_dev.json")
CORPUS_FILES = CSV_FILES + JSON_FILES


@dataclass(frozen=True)
class Review:
    text: str
    negative: bool
    source: str  # the file it came from
    role: str  # "train" | "calibration" | "dev"


def checkout_dir() -> Path:
    return Path(__file__).resolve().parents[3]


def corpus_dir() -> Path:
    default = checkout_dir().parent / "shared" / "corpus" / "sentiment"
    return Path(os.environ.get("KEFU_SENTIMENT_CORPUS", str(default)))


def corpus_present() -> bool:
    return all((corpus_dir() / name).is_file() for name in CORPUS_FILES)


def bucket(text: str) -> int:
    return int(hashlib.sha1(text.encode("utf-8")).hexdigest()[:8], 16) % 100  # noqa: S324 - a split, not security


def order_key(text: str) -> str:
    """A fixed pseudo-random order (for drawing samples reproducibly)."""
    return hashlib.sha1(b"order:" + text.encode("utf-8")).hexdigest()  # noqa: S324 - a split, not security


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def corpus_hashes() -> dict[str, str]:
    return {name: file_sha256(corpus_dir() / name) for name in CORPUS_FILES}


def _csv_role(text: str) -> str:
    b = bucket(text)
    return "train" if b < CALIBRATION_BUCKET else "calibration" if b < DEV_BUCKET else "dev"


@lru_cache(maxsize=1)
def reviews() -> tuple[Review, ...]:
    """Every labelled review of the corpus with its role (each distinct text once, first label wins)."""
    base = corpus_dir()
    out: dict[str, Review] = {}
    for name in CSV_FILES:
        with (base / name).open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                text = (row.get("review") or "").strip()
                if text and text not in out and row.get("label") in {"0", "1"}:
                    out[text] = Review(text, row["label"] == "0", name, _csv_role(text))
    for name in JSON_FILES:
        role = "dev" if name.endswith("_dev.json") else "train"
        for line in (base / name).read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            text = str(row["sentence"]).strip()
            if text and text not in out:
                out[text] = Review(text, row["label"] == "Negative", name, role)
    return tuple(out.values())


def reviews_of(role: str, per_class: int | None = None, source: str | None = None) -> list[Review]:
    """Reviews of one role (optionally one file), in a fixed pseudo-random order, ``per_class`` of each."""
    rows = sorted(
        (r for r in reviews() if r.role == role and (source is None or r.source == source)),
        key=lambda r: order_key(r.text),
    )
    if per_class is None:
        return rows
    neg = [r for r in rows if r.negative][:per_class]
    pos = [r for r in rows if not r.negative][:per_class]
    return neg + pos


# --- the repository's own sets ---------------------------------------------------------------------


def _jsonl(package: str, name: str) -> list[dict[str, str]]:
    raw = resources.files(package).joinpath(f"data/{name}.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in raw.splitlines() if line.strip()]


def emotion_rows(name: str) -> list[dict[str, str]]:
    """Customer messages of ``kefu/assist/data/<name>.jsonl`` (text, emotion)."""
    return _jsonl("kefu.assist", name)


def intent_rows(split: str) -> list[tuple[str, str]]:
    """(text, intent) of ``kefu/bot/data/intents_<split>.jsonl``."""
    return [(r["text"], r["intent"]) for r in _jsonl("kefu.bot", f"intents_{split}")]


def repo_file(package: str, name: str) -> Path:
    return Path(str(resources.files(package).joinpath(f"data/{name}")))


# Intents whose phrasings complain: not used as calm examples.
UPSET_INTENTS = frozenset({"complaint", "quality"})


def calm_lines() -> list[str]:
    """Plain questions and requests (train role): the intents' training phrasings that do not complain and
    the questions written for ``calm_train.jsonl``."""
    lines = [t for t, intent in intent_rows("train") if intent not in UPSET_INTENTS]
    lines += [r["text"] for r in emotion_rows("calm_train")]
    return list(dict.fromkeys(lines))
