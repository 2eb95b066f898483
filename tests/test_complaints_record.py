"""Staff accountability (R30): verified faults enter the staff member's record; 1st warning, 2nd
penalty, 3rd a recommendation to dismiss; unverified ones and those older than the period do not
count; the staff member sees their own record and appeals; kefu never disables an account."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from kefu.accounts.actions import do_create_api_token
from kefu.accounts.choices import Role
from kefu.complaints.actions import check_appeal_fault, check_decide_fault, check_verify_staff_fault, do_fire
from kefu.complaints.models import ComplaintSettings, StaffFault
from kefu.core import clock
from kefu.core.errors import Conflict, PermissionDenied
from kefu.core.models import Notification
from tests.factories import UserFactory
from tests.factories_complaints import ComplaintFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(db):
    return UserFactory(username="xiaowang", role=Role.RECEPTION)


def _analysed_about(staff, roles, **kwargs):
    complaint = ComplaintFactory(received_by=roles["reception"], **kwargs)
    do_fire(complaint, "contact", actor=roles["aftersales"], now=clock.now(), data={"note": "已联系客户"})
    do_fire(
        complaint,
        "analyse",
        actor=roles["aftersales"],
        now=clock.now(),
        data={"responsibility": "staff", "staff": staff.username, "cause": "态度恶劣"},
    )
    return complaint


def _record(client, viewer, username):
    _t, raw = do_create_api_token(viewer, now=clock.now())
    return client.get(f"/api/v1/staff/{username}/record", HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_three_verified_complaints_give_warning_penalty_recommendation(client, roles, staff):
    start = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)
    # Given three complaints analysed as xiaowang's fault, verified a week apart,
    for week in range(3):
        with time_machine.travel(start + timedelta(weeks=week), tick=False):
            check_verify_staff_fault(_analysed_about(staff, roles), actor=roles["supervisor"])
    # when the record is read,
    with time_machine.travel(start + timedelta(weeks=4), tick=False):
        response = _record(client, staff, "xiaowang")
    # then the entries, oldest first, are a warning, a penalty and a recommendation to dismiss,
    assert response.status_code == 200
    entries = response.json()["entries"]
    assert [e["level"] for e in entries] == ["warning", "penalty", "dismissal_recommended"]
    assert entries[0]["verified_at"] < entries[1]["verified_at"] < entries[2]["verified_at"]
    # the administrator is asked to decide, and the account stays active (kefu never disables it).
    admin = roles["admin"]
    assert Notification.objects.filter(user=admin, text__contains="dismissal").exists()
    staff.refresh_from_db()
    assert staff.is_active


def test_an_unverified_complaint_gives_nothing(client, roles, staff):
    # Given a complaint analysed as xiaowang's fault that no supervisor verified,
    _analysed_about(staff, roles)
    # when the record is read, then it is empty.
    assert _record(client, roles["supervisor"], "xiaowang").json()["entries"] == []


def test_a_fault_older_than_the_period_no_longer_counts(client, roles, staff):
    # Given a fault verified 13 months ago and one verified last week (period: 12 months),
    now = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)
    with time_machine.travel(now - timedelta(days=400), tick=False):
        check_verify_staff_fault(_analysed_about(staff, roles), actor=roles["supervisor"])
    with time_machine.travel(now - timedelta(days=7), tick=False):
        recent = _analysed_about(staff, roles)
        check_verify_staff_fault(recent, actor=roles["supervisor"])
    # when the record is read now,
    with time_machine.travel(now, tick=False):
        entries = _record(client, staff, "xiaowang").json()["entries"]
    # then only the recent one counts, and it is a first warning.
    assert [(e["complaint"], e["level"]) for e in entries] == [(recent.pk, "warning")]


def test_the_period_is_configurable(client, roles, staff):
    now = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)
    with time_machine.travel(now - timedelta(days=100), tick=False):
        check_verify_staff_fault(_analysed_about(staff, roles), actor=roles["supervisor"])
    # Given a three-month period, when the record is read, then a fault of 100 days ago is out.
    settings = ComplaintSettings.load()
    settings.record_period_months = 3
    settings.save()
    with time_machine.travel(now, tick=False):
        assert _record(client, staff, "xiaowang").json()["entries"] == []


def test_only_supervisors_verify_once_and_only_staff_faults(roles, staff):
    complaint = _analysed_about(staff, roles)
    # Given a complaint analysed as a staff fault, an after-sales agent may not verify it,
    with pytest.raises(PermissionDenied):
        check_verify_staff_fault(complaint, actor=roles["aftersales"])
    # a supervisor verifies it once,
    check_verify_staff_fault(complaint, actor=roles["supervisor"])
    with pytest.raises(Conflict):
        check_verify_staff_fault(complaint, actor=roles["supervisor"])
    # and a complaint analysed as the courier's fault cannot be verified as a staff fault.
    other = ComplaintFactory(received_by=roles["reception"])
    do_fire(other, "contact", actor=roles["aftersales"], now=clock.now(), data={"note": "已联系"})
    do_fire(other, "analyse", actor=roles["aftersales"], now=clock.now(), data={"responsibility": "courier"})
    with pytest.raises(Conflict):
        check_verify_staff_fault(other, actor=roles["supervisor"])


def test_verify_staff_fault_through_the_events_api(client, roles, staff):
    complaint = _analysed_about(staff, roles)
    url = f"/api/v1/complaints/{complaint.pk}/events"

    def fire(role):
        _t, raw = do_create_api_token(roles[role], now=clock.now())
        return client.post(
            url, {"event": "verify_staff_fault"}, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}"
        )

    # Given a complaint about xiaowang, an after-sales agent gets 403, a supervisor 200, then 409.
    assert fire("aftersales").status_code == 403
    assert fire("supervisor").status_code == 200
    assert fire("supervisor").status_code == 409
    assert StaffFault.objects.filter(complaint=complaint, staff=staff).count() == 1


def test_the_record_is_private_and_an_appeal_goes_to_the_administrator(client, roles, staff):
    check_verify_staff_fault(_analysed_about(staff, roles), actor=roles["supervisor"])
    entry = StaffFault.objects.get(staff=staff)
    # Given xiaowang's record, a colleague may not read it, xiaowang and supervisors may,
    assert _record(client, roles["sales"], "xiaowang").status_code == 403
    assert _record(client, roles["supervisor"], "xiaowang").status_code == 200
    # only xiaowang appeals, the administrator is notified,
    with pytest.raises(PermissionDenied):
        check_appeal_fault(entry, "不是我的问题", actor=roles["sales"])
    check_appeal_fault(entry, "客户先骂人的，有录音", actor=staff)
    assert Notification.objects.filter(user=roles["admin"], text__contains="申诉").exists()
    # and when the administrator upholds the appeal, the entry no longer counts.
    with pytest.raises(PermissionDenied):
        check_decide_fault(entry, actor=roles["supervisor"], note="x", appeal="upheld")
    check_decide_fault(entry, actor=roles["admin"], note="录音属实，撤销", appeal="upheld")
    assert _record(client, staff, "xiaowang").json()["entries"] == []
