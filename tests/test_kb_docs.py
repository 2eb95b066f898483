"""The knowledge docs stay true: the article machine's table, and the edges the action allows."""

from __future__ import annotations

from pathlib import Path

import pytest

from kefu.core import clock
from kefu.core.errors import PermissionDenied
from kefu.knowledge import actions
from kefu.knowledge.choices import ArticleStatus
from kefu.knowledge.transitions import article_machine
from tests.factories_kb import ArticleFactory

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("page", ["docs/state-machines.md", "docs/knowledge.md"])
def test_article_machine_table_is_in_the_docs(page):
    # Given the article machine's table, then the page shows it exactly as rendered.
    assert article_machine.as_markdown() in (ROOT / page).read_text(encoding="utf-8")


@pytest.mark.django_db
def test_publishing_needs_the_publish_permission(roles):
    # Given a draft, when a role without knowledge.publish_article tries to publish through the
    # action, then it is refused and nothing changes; a supervisor may.
    draft = ArticleFactory(status=ArticleStatus.DRAFT)
    with pytest.raises(PermissionDenied):
        actions.check_update_article(draft, actor=roles["reception"], now=clock.now(), status="published")
    draft.refresh_from_db()
    assert draft.status == ArticleStatus.DRAFT
    article = actions.check_update_article(draft, actor=roles["supervisor"], now=clock.now(), status="published")
    assert article.status == ArticleStatus.PUBLISHED
    assert article_machine.allowed_events(article.status) == ["unpublish"]
