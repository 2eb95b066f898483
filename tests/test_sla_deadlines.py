"""Named deadlines of non-ticket subjects (kefu.sla.deadlines): set, stop, warn once, pass once,
call the kind's handler, survive a failing handler."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from kefu.core.models import AuditEvent, Notification
from kefu.core.tasks import sweep_once
from kefu.sla import deadlines
from kefu.sla.models import Deadline
from tests.factories import CustomerFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
KIND = "customers.customer"  # any model serves as a subject; the tests use customers


@pytest.fixture
def calls():
    seen: list[tuple[str, str, datetime]] = []

    def handler(due: list[deadlines.Due], now: datetime) -> None:
        seen.extend((d.object_id, d.name, now) for d in due)

    deadlines.register(KIND, on_due=handler)
    yield seen
    deadlines._HANDLERS.pop(KIND, None)


def _subject_with_people():
    owner, leader = UserFactory(), UserFactory()
    team = TeamFactory(leader=leader)
    return CustomerFactory(), owner, team, leader


def test_set_and_running_and_stop():
    # Given a subject with two deadlines,
    subject = CustomerFactory()
    deadlines.set(subject, "respond_by", T0 + timedelta(days=5), now=T0)
    deadlines.set(subject, "ship_by", T0 + timedelta(days=7), now=T0)
    # then both run, nearest first,
    assert list(deadlines.running(subject).items()) == [
        ("respond_by", T0 + timedelta(days=5)),
        ("ship_by", T0 + timedelta(days=7)),
    ]
    assert deadlines.running_for(KIND, [subject.pk]) == {str(subject.pk): deadlines.running(subject)}
    # when one stops, only the other runs; when all stop, none does.
    deadlines.stop(subject, "respond_by", now=T0)
    assert list(deadlines.running(subject)) == ["ship_by"]
    deadlines.stop(subject, now=T0)
    assert deadlines.running(subject) == {}


def test_warning_then_passing_fire_once_each_and_call_the_handler(calls):
    # Given a deadline in 5 days with a warning 24 h before, owned by an agent of a team with a leader,
    subject, owner, team, leader = _subject_with_people()
    due = T0 + timedelta(days=5)
    deadlines.set(
        subject,
        "respond_by",
        due,
        now=T0,
        warn_before=timedelta(hours=24),
        owner=owner,
        team=team,
        text="Case 7: answer the refund request",
        url="/cases/7/",
        data={"state": "requested"},
    )
    # when the sweeper runs just before the warning, nothing fires;
    assert deadlines.sweep(due - timedelta(hours=24, seconds=1)) == 0
    # at the warning time the owner and the leader are notified once, with the link;
    assert deadlines.sweep(due - timedelta(hours=24)) == 1
    assert deadlines.sweep(due - timedelta(hours=1)) == 0
    warned = Notification.objects.filter(kind=Notification.Kind.SLA_WARNING)
    assert sorted(warned.values_list("user_id", flat=True)) == sorted([owner.pk, leader.pk])
    assert {n.url for n in warned} == {"/cases/7/"}
    assert "Case 7: answer the refund request" in warned[0].text
    assert calls == []
    # at the due time the handler is called once with the data, and it no longer runs.
    assert deadlines.sweep(due) == 1
    assert deadlines.sweep(due + timedelta(days=1)) == 0
    assert calls == [(str(subject.pk), "respond_by", due)]
    assert deadlines.running(subject) == {}
    audit = AuditEvent.objects.filter(verb__startswith="deadline.", object_id=str(subject.pk))
    verbs = list(audit.values_list("verb", flat=True))
    assert verbs == ["deadline.warning", "deadline.passed"]
    assert Notification.objects.filter(kind=Notification.Kind.SLA_BREACH).count() == 2


def test_a_late_sweep_catches_up_and_a_stopped_deadline_never_fires(calls):
    # Given two deadlines, one of them stopped (met) before it was due,
    a, b = CustomerFactory(), CustomerFactory()
    deadlines.set(a, "respond_by", T0 + timedelta(hours=1), now=T0, warn_before=timedelta(minutes=30))
    deadlines.set(b, "respond_by", T0 + timedelta(hours=1), now=T0, warn_before=timedelta(minutes=30))
    deadlines.stop(b, "respond_by", now=T0 + timedelta(minutes=5))
    # when the first sweep runs a day late (downtime), through the one sweeper loop,
    fired = sweep_once(T0 + timedelta(days=1))
    # then the running one warns and passes in that sweep, the stopped one does nothing.
    assert fired["sla.deadlines"] == 2
    assert calls == [(str(a.pk), "respond_by", T0 + timedelta(days=1))]


def test_setting_again_rearms_a_fired_deadline(calls):
    # Given a deadline that passed,
    subject = CustomerFactory()
    deadlines.set(subject, "ship_by", T0, now=T0 - timedelta(days=1))
    deadlines.sweep(T0)
    # when it is set again (the case entered the same state again),
    deadlines.set(subject, "ship_by", T0 + timedelta(days=7), now=T0)
    # then it runs and fires again at its new time.
    assert deadlines.running(subject) == {"ship_by": T0 + timedelta(days=7)}
    deadlines.sweep(T0 + timedelta(days=7))
    assert [c[1] for c in calls] == ["ship_by", "ship_by"]
    assert Deadline.objects.count() == 1


def test_a_failing_handler_is_audited_and_does_not_block_the_others():
    # Given a handler that fails for one subject only,
    good, bad = CustomerFactory(), CustomerFactory()
    seen: list[str] = []

    def handler(due: list[deadlines.Due], now: datetime) -> None:
        for d in due:
            if d.object_id == str(bad.pk):
                raise RuntimeError("broken subject")
            seen.append(d.object_id)

    deadlines.register(KIND, on_due=handler)
    try:
        deadlines.set(bad, "respond_by", T0, now=T0 - timedelta(hours=1))
        deadlines.set(good, "respond_by", T0, now=T0 - timedelta(hours=1))
        # when the sweeper fires both,
        assert deadlines.sweep(T0) == 2
    finally:
        deadlines._HANDLERS.pop(KIND, None)
    # then the good one was handled, the bad one is audited as failed, and neither fires again.
    assert seen == [str(good.pk)]
    failed = AuditEvent.objects.filter(verb="deadline.failed")
    assert list(failed.values_list("object_id", flat=True)) == [str(bad.pk)]
    assert deadlines.sweep(T0 + timedelta(hours=1)) == 0
