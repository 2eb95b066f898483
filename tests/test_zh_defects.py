"""Defects found by trying kefu as a new user would (issue 15): internal codes and English in names,
raw codes in the ticket timeline."""

from __future__ import annotations

import re
from importlib import import_module

import pytest
from django.apps import apps

from kefu.sla.models import BusinessCalendar, SlaPolicy
from kefu.tickets.timeline import _detail

pytestmark = pytest.mark.django_db

LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
R_CODE = re.compile(r"\(R\d+|R\d+\)")


def test_shipped_sla_policies_and_calendars_have_chinese_names_without_codes():
    names = list(SlaPolicy.objects.values_list("name", flat=True))
    assert len(names) >= 6
    for name in names:
        assert not R_CODE.search(name), name
        assert not LATIN_WORD.search(name), name
    for label in BusinessCalendar.objects.values_list("label", flat=True):
        assert not LATIN_WORD.search(label.replace("24×7", "")), label


def test_the_rename_leaves_an_administrators_own_name_alone():
    migration = import_module("kefu.sla.migrations.0004_names_without_codes")
    old, new = next(iter(migration.POLICY_NAMES.items()))
    # Given an install that still has the old name, and another policy an administrator renamed,
    SlaPolicy.objects.filter(name=new).update(name=old)
    SlaPolicy.objects.filter(name="热线 4 小时答复").update(name="我们的热线策略")
    # when the migration runs, the old name becomes the Chinese one, the administrator's stays.
    migration.forwards(apps, None)
    assert SlaPolicy.objects.filter(name=new).exists()
    assert SlaPolicy.objects.filter(name="我们的热线策略").exists()


@pytest.mark.parametrize("how", ["reply", "canned_reply", "phone", "visit", "something-new"])
def test_the_timeline_never_shows_how_as_a_code(how):
    shown = _detail("ticket.contacted", {"how": how})
    assert shown != how
    assert "_" not in shown
