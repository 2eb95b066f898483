"""The article's publication state machine: a draft is invisible to search, the help center
and the bot; publishing indexes it, unpublishing removes it from the index."""

from __future__ import annotations

from kefu.core.fsm import StateMachine
from kefu.knowledge.choices import ArticleStatus
from kefu.knowledge.models import Article

D, P = ArticleStatus.DRAFT.value, ArticleStatus.PUBLISHED.value

TRANSITIONS: dict[tuple[str, str], str] = {
    (D, "publish"): P,
    (P, "unpublish"): D,
}

EVENT_OF_TARGET = {P: "publish", D: "unpublish"}

article_machine: StateMachine[Article] = StateMachine(name="article", model=Article, transitions=TRANSITIONS)
