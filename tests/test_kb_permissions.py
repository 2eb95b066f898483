"""Role × action matrix of the knowledge actions (the platform matrix in test_permission_matrix
gets these rows from the integrator)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kefu.core import clock
from kefu.core.errors import PermissionDenied
from kefu.knowledge import actions
from kefu.knowledge.models import Article, CannedReply, SearchWord, SynonymGroup
from tests.factories_kb import ArticleFactory

ALL = {"reception", "aftersales", "finance", "sales", "technician", "supervisor", "admin"}
EDITORS = {"supervisor", "admin"}

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _calls() -> dict[str, tuple[set[str], Callable[[Any], Any]]]:
    now = clock.now()
    return {
        "knowledge.check_create_article": (
            EDITORS,
            lambda u: actions.check_create_article(actor=u, now=now, title="t", body="<p>b</p>", category="other"),
        ),
        "knowledge.check_update_article": (
            EDITORS,
            lambda u: actions.check_update_article(ArticleFactory(), actor=u, now=now, title="新标题"),
        ),
        "knowledge.check_restore_version": (
            EDITORS,
            lambda u: actions.check_restore_version(Article.objects.get(key="returns-how-to"), 1, actor=u, now=now),
        ),
        "knowledge.check_delete_article": (
            EDITORS,
            lambda u: actions.check_delete_article(ArticleFactory(), actor=u, now=now),
        ),
        "knowledge.check_add_attachment": (
            EDITORS,
            lambda u: actions.check_add_attachment(
                ArticleFactory(), SimpleUploadedFile("a.png", PNG, "image/png"), actor=u, now=now
            ),
        ),
        "knowledge.check_add_search_word": (
            {"admin"},
            lambda u: actions.check_add_search_word("光猫", actor=u, now=now),
        ),
        "knowledge.check_delete_search_word": (
            {"admin"},
            lambda u: actions.check_delete_search_word(SearchWord.objects.get(word="光纤跳线"), actor=u, now=now),
        ),
        "knowledge.check_save_synonym_group": (
            {"admin"},
            lambda u: actions.check_save_synonym_group("退钱=退款=返款", actor=u, now=now),
        ),
        "knowledge.check_delete_synonym_group": (
            {"admin"},
            lambda u: actions.check_delete_synonym_group(SynonymGroup.objects.first(), actor=u, now=now),
        ),
        "knowledge.check_create_personal_reply": (
            ALL,
            lambda u: actions.check_create_personal_reply(actor=u, now=now, title="t", text="亲"),
        ),
    }


NAMES = [
    "knowledge.check_create_article",
    "knowledge.check_update_article",
    "knowledge.check_restore_version",
    "knowledge.check_delete_article",
    "knowledge.check_add_attachment",
    "knowledge.check_add_search_word",
    "knowledge.check_delete_search_word",
    "knowledge.check_save_synonym_group",
    "knowledge.check_delete_synonym_group",
    "knowledge.check_create_personal_reply",
]


def test_matrix_covers_every_knowledge_action():
    # Given the registered actions, then every knowledge check_* action has a row here.
    from kefu.core.actions import load_all

    registered = {name for name in load_all() if name.startswith("knowledge.")}
    assert registered - {"knowledge.check_remove_attachment", "knowledge.check_delete_personal_reply"} == set(NAMES)


@pytest.mark.django_db
@pytest.mark.parametrize("name", NAMES)
def test_knowledge_role_matrix(roles, name):
    # Given a dictionary word and an article with an earlier version to work on,
    actions.check_add_search_word("光纤跳线", actor=roles["admin"], now=clock.now())
    article = Article.objects.get(key="returns-how-to")
    actions.check_update_article(article, actor=roles["admin"], now=clock.now(), title="退换货申请步骤")
    allowed, call = _calls()[name]
    # when each role calls the action, then only the expected roles pass, the others get 403.
    for role in sorted(roles, key=lambda r: r in allowed):  # refusals first: the objects still exist
        if role in allowed:
            call(roles[role])
        else:
            with pytest.raises(PermissionDenied):
                call(roles[role])


@pytest.mark.django_db
def test_personal_reply_deletion_is_the_owners(roles):
    # Given a reception agent's personal reply, then a colleague cannot delete it, the owner can.
    reply = actions.check_create_personal_reply(actor=roles["reception"], now=clock.now(), title="t", text="亲")
    with pytest.raises(PermissionDenied):
        actions.check_delete_personal_reply(reply, actor=roles["sales"], now=clock.now())
    actions.check_delete_personal_reply(reply, actor=roles["reception"], now=clock.now())
    assert not CannedReply.objects.filter(pk=reply.pk).exists()
