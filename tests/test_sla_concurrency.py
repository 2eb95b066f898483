"""Two sweepers at once (PostgreSQL: SELECT … FOR UPDATE SKIP LOCKED): every deadline fires once."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, connections

from kefu.core.models import AuditEvent
from kefu.sla.sweep import sweep
from kefu.tickets import actions
from tests.factories import CustomerFactory, SlaPolicyFactory, SlaTargetFactory, ensure_sla_defaults

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2025, 3, 3, 10, tzinfo=SH)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks with SKIP LOCKED need PostgreSQL")
def test_concurrent_sweepers_fire_each_deadline_once():
    ensure_sla_defaults()  # an earlier transactional test may have flushed the migrations' rows
    # Given 300 tickets whose warning and breach are both due,
    policy = SlaPolicyFactory(channel="letter")
    SlaTargetFactory(policy=policy, seconds=3600)
    customer = CustomerFactory()
    tickets = [actions.do_create_ticket(customer, subject=f"信函{i}", now=T0, source="letter") for i in range(300)]
    later = T0 + timedelta(days=1)
    fired: list[int] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            fired.append(sweep(later, batch=25))
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    # when four sweepers run at the same time in small batches,
    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # then together they fired each warning and each breach exactly once.
    assert errors == []
    assert sum(fired) == 600
    ids = [str(t.pk) for t in tickets]
    assert AuditEvent.objects.filter(verb="sla.warning", object_id__in=ids).count() == 300
    assert AuditEvent.objects.filter(verb="sla.breached", object_id__in=ids).count() == 300
