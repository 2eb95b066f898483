"""The demo's complaints and inspected chats load on top of the demo users (kefu.demo.complaints)."""

from __future__ import annotations

import pytest

from kefu.accounts.choices import Role
from kefu.complaints.models import Complaint, StaffFault
from kefu.core import clock
from kefu.demo.complaints import load
from kefu.quality.models import Inspection
from tests.factories import ChannelFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_demo_complaints_in_several_states_and_inspected_chats():
    # Given the demo's users, after-sales team and web chat channel,
    for name, role in (
        ("agent", Role.RECEPTION),
        ("aftersales", Role.AFTERSALES),
        ("supervisor", Role.SUPERVISOR),
        ("sales", Role.SALES),
        ("finance", Role.FINANCE),
        ("tech", Role.TECHNICIAN),
    ):
        UserFactory(username=name, role=role)
    TeamFactory(name="售后服务组")
    ChannelFactory(kind="web_chat")
    # when the complaints demo loads,
    load(clock.now())
    # then complaints stand in several states, the overdue one escalated, one staff fault recorded,
    states = set(Complaint.objects.values_list("status", flat=True))
    assert {"registered", "proposed", "answered", "implementing", "closed"} <= states
    assert Complaint.objects.filter(level__gt=0).exists()
    assert StaffFault.objects.count() == 1
    # and the closed chats are inspected with findings.
    assert Inspection.objects.count() == 3
    assert Inspection.objects.filter(score__lt=100).exists()
