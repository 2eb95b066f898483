"""Every agent reply is checked against the forbidden phrases and the blocked severities; both are kept per
process (kefu.core.memo) instead of read for every reply, and a change is seen on the next reply."""

from __future__ import annotations

import time

import pytest
from django.db import transaction

from kefu.assist import lint as lint_module
from kefu.assist.actions import ReplyBlocked, check_update_settings
from kefu.assist.models import ForbiddenPhrase
from kefu.conversations.actions import check_reply_text
from kefu.core import clock

pytestmark = pytest.mark.django_db(transaction=True)  # the memo is not used inside a transaction


@pytest.fixture(autouse=True)
def _fresh_memo():
    lint_module.phrases_changed()
    yield
    lint_module.phrases_changed()


def test_a_reply_after_the_first_reads_nothing(django_assert_num_queries):
    check_reply_text("您好，已经为您查询")
    with django_assert_num_queries(0):
        check_reply_text("好的，马上为您处理")
    with django_assert_num_queries(0), pytest.raises(ReplyBlocked):
        check_reply_text("不知道，你自己看吧")


def test_changes_by_the_administrator_apply_to_the_next_reply(roles):
    check_reply_text("这个要看仓库安排")  # memo filled
    # a new phrase is blocked at once,
    phrase = ForbiddenPhrase.objects.create(
        phrase="看仓库安排", rule="forbidden_phrase", severity="error", updated_at=clock.now()
    )
    with pytest.raises(ReplyBlocked):
        check_reply_text("这个要看仓库安排")
    # deleting it lets the reply through again,
    phrase.delete()
    check_reply_text("这个要看仓库安排")
    # and so does unblocking every severity in the settings.
    with pytest.raises(ReplyBlocked):
        check_reply_text("不知道，你自己看吧")
    check_update_settings(actor=roles["admin"], block_severities=[], raise_priority=True)
    check_reply_text("不知道，你自己看吧")


def test_inside_a_transaction_the_rows_are_read(roles):
    check_reply_text("这个要看仓库安排")  # memo filled
    with transaction.atomic():
        ForbiddenPhrase.objects.bulk_create(  # no signal: only a read sees it
            [ForbiddenPhrase(phrase="看仓库安排", rule="forbidden_phrase", severity="error", updated_at=clock.now())]
        )
        with pytest.raises(ReplyBlocked):
            check_reply_text("这个要看仓库安排")
        transaction.set_rollback(True)
    check_reply_text("这个要看仓库安排")  # rolled back: the memo never kept it


def test_a_change_made_elsewhere_is_seen_after_the_memo_expires(monkeypatch):
    monkeypatch.setattr(lint_module._PHRASES, "ttl", 0.2)
    check_reply_text("这个要看仓库安排")
    # another process's change (here: an update that sends no signal)
    ForbiddenPhrase.objects.bulk_create(
        [ForbiddenPhrase(phrase="看仓库安排", rule="forbidden_phrase", severity="error", updated_at=clock.now())]
    )
    check_reply_text("这个要看仓库安排")  # still the kept list
    time.sleep(0.3)
    with pytest.raises(ReplyBlocked):
        check_reply_text("这个要看仓库安排")
