"""Similar questions (相似问法) per shipped article, and their vectors.

A mature FAQ bot keeps, beside each answer, the other ways customers ask for it.
``data/article_questions.json`` holds them for the shipped public articles (written from the articles'
text, not from any evaluation set); the article's title counts as one of them.  They are embedded as
*questions* (e5 ``query:`` prefix), so a customer's question is compared with questions, which e5 does
better than question-to-passage.

Their vectors ship in ``data/question_vectors.npy`` (float16, read as float32) with
``data/question_vectors.json`` (model, and the SHA-256 of each phrasing); a phrasing whose hash is not
there (the file was edited) is embedded when the bot first needs it, in one batch.
``kefu bot_vectors`` rebuilds both files.
"""

from __future__ import annotations

import io
import json
import threading
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from kefu.core.text import embed
from kefu.knowledge.shipped_vectors import model_name, text_hash


@dataclass(frozen=True)
class Phrasings:
    keys: list[str]  # article key of each row
    texts: list[str]
    matrix: np.ndarray  # rows × 384, query vectors


def questions() -> dict[str, list[str]]:
    """Article key → its similar questions, the title first."""
    from kefu.knowledge.defaults import default_articles

    raw = resources.files("kefu.bot").joinpath("data/article_questions.json").read_text(encoding="utf-8")
    extra: dict[str, list[str]] = json.loads(raw)["questions"]
    found: dict[str, list[str]] = {}
    for item in default_articles():
        if item["key"] in extra:
            found[item["key"]] = list(dict.fromkeys([item["title"], *extra[item["key"]]]))
    return found


def _query_vectors(texts: list[str]) -> np.ndarray:
    if not texts:
        return np.zeros((0, embed.DIM), np.float32)
    return np.stack([embed.query_vector(t) for t in texts]).astype(np.float32)


def shipped_vectors() -> dict[str, np.ndarray]:
    """Shipped vectors by text hash."""
    files = resources.files("kefu.bot").joinpath("data")
    manifest, vectors = files.joinpath("question_vectors.json"), files.joinpath("question_vectors.npy")
    if not (manifest.is_file() and vectors.is_file()):
        return {}
    data = json.loads(manifest.read_text(encoding="utf-8"))
    if data.get("model") != model_name():
        return {}
    matrix = np.load(io.BytesIO(vectors.read_bytes())).astype(np.float32)
    return {h: matrix[i] for i, h in enumerate(data["sha256"])}


_lock = threading.Lock()
_loaded: dict[str, Any] = {}


def load() -> Phrasings:
    """Every phrasing with its vector (shipped ones read, others embedded once), cached per process."""
    with _lock:
        cached = _loaded.get("phrasings")
        if cached is not None:
            return cached
        keys, texts = [], []
        for key, items in questions().items():
            for text in items:
                keys.append(key)
                texts.append(text)
        shipped = shipped_vectors()
        missing = [t for t in texts if text_hash(t) not in shipped]
        if missing:
            for text, vec in zip(missing, _query_vectors(missing), strict=True):
                shipped[text_hash(text)] = vec
        matrix = np.stack([shipped[text_hash(t)] for t in texts]) if texts else np.zeros((0, embed.DIM), np.float32)
        result = Phrasings(keys, texts, matrix.astype(np.float32))
        _loaded["phrasings"] = result
        return result


def best_by_key(qvec: np.ndarray) -> dict[str, float]:
    """Article key → the highest cosine between the question and one of its phrasings."""
    found = load()
    if not found.keys:
        return {}
    cosines = found.matrix @ qvec
    best: dict[str, float] = {}
    for key, cos in zip(found.keys, cosines.tolist(), strict=True):
        if cos > best.get(key, -1.0):
            best[key] = cos
    return best


def build(folder: Path) -> int:
    """Embed every phrasing and write ``question_vectors.npy`` / ``.json`` into ``folder``."""
    texts = list(dict.fromkeys(t for items in questions().values() for t in items))
    vectors = _query_vectors(texts).astype("<f2")  # float16: half the bytes, cosines change < 0.001
    buffer = io.BytesIO()
    np.save(buffer, vectors)
    (folder / "question_vectors.npy").write_bytes(buffer.getvalue())
    data = {"model": model_name(), "dim": embed.DIM, "sha256": [text_hash(t) for t in texts]}
    (folder / "question_vectors.json").write_text(json.dumps(data, indent=0) + "\n", encoding="utf-8")
    with _lock:
        _loaded.clear()
    return len(texts)
