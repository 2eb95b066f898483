"""The shipped canned-reply library reads well (issue 15): no sarcasm, nothing from another trade,
full-width punctuation inside Chinese text, and the seed's notes to the agent never in what is sent."""

from __future__ import annotations

import re
from importlib import import_module

import pytest
from django.apps import apps

from kefu.assist.lint import lint
from kefu.knowledge.canned import default_library, picker_items, split_note
from kefu.knowledge.models import CannedReply
from tests.factories import ConversationFactory

pytestmark = pytest.mark.django_db

HALF_WIDTH_IN_CHINESE = re.compile(r"[\u4e00-\u9fff][,!?:;()]|[,!?:;()][\u4e00-\u9fff]|[\u4e00-\u9fff]\.(?!\d)")
# kefu's demo and seed shops sell optical modules and network equipment, not clothes.
OTHER_TRADE = ("衣服", "洗涤", "宝贝", "尺码", "面料", "起球", "褪色")
NOTE_WORDS = ("给链接", "给连接", "表情", "十大合作理由", "当天公司的活动", "客户同意")


def test_no_sarcasm_no_other_trade_and_full_width_punctuation():
    for item in default_library():
        text, _note = split_note(item["text"])
        assert "呵呵" not in text, item["key"]
        assert not [w for w in OTHER_TRADE if w in text], item["key"]
        assert not HALF_WIDTH_IN_CHINESE.search(text), (item["key"], text)
        assert "xxx" not in text.lower(), item["key"]  # a blank is a {variable} the picker selects


def test_installed_replies_keep_the_notes_out_of_the_text(roles):
    # Given the library as a fresh install has it,
    replies = list(CannedReply.objects.filter(source__in=["000", "002", "003"]))
    assert len(replies) == len(default_library())
    for reply in replies:
        # the text the agent sends carries no stage direction,
        assert not [w for w in NOTE_WORDS if w in reply.text], reply.key
        assert not re.search(r"[(（]", reply.text), reply.key
    # and what the picker inserts is the text with variables filled, the note kept apart.
    items = picker_items(ConversationFactory(), roles["reception"], replies)
    for item in items:
        assert not [w for w in NOTE_WORDS if w in item["text"]], item["title"]
    trust = CannedReply.objects.get(key="trust_cooperation_reasons")
    assert trust.note == "十大合作理由！"
    assert "{合作理由}" in trust.text


def test_no_shipped_reply_is_blocked_by_the_reply_lint():
    for reply in CannedReply.objects.filter(source__in=["000", "002", "003"]):
        errors = [v for v in lint(reply.text) if v.severity == "error"]
        assert not errors, (reply.key, [(v.text, v.rule) for v in errors])


def test_migration_rewords_installed_rows_but_not_edited_ones():
    migration = import_module("kefu.knowledge.migrations.0006_canned_defaults_wording")
    before, after, _note = migration.REWORDED["bargain_ask_leader"]
    assert "呵呵" in before
    assert "呵呵" not in after
    # Given one row as an older kefu installed it and one an administrator edited,
    CannedReply.objects.filter(key="bargain_ask_leader").update(text=before, note="")
    CannedReply.objects.filter(key="closing_ask_good_review").update(text="我们自己写的话术")
    # when the migration runs,
    migration.reword(apps, None)
    # then the installed text is reworded and the edited one is left alone.
    assert CannedReply.objects.get(key="bargain_ask_leader").text == after
    assert CannedReply.objects.get(key="closing_ask_good_review").text == "我们自己写的话术"
