"""``kefu bench sla``: due-time arithmetic and the sweeper over many due timers."""

from __future__ import annotations

import random
import statistics
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction

from kefu.accounts.models import Team, User
from kefu.core import clock
from kefu.core.bench import bench, rounds
from kefu.core.models import AuditEvent, Notification
from kefu.customers.models import Customer
from kefu.sla import duemath, engine
from kefu.sla.models import BusinessCalendar, SlaPolicy, SlaTimer
from kefu.sla.sweep import sweep
from kefu.tickets.models import Ticket


def _due_inputs(count: int, seed: int = 7) -> list[tuple[datetime, timedelta, list[duemath.Pause]]]:
    rng = random.Random(seed)  # noqa: S311 - reproducible benchmark inputs, not secrets
    base = datetime(2025, 1, 1, tzinfo=UTC)
    inputs = []
    for _ in range(count):
        start = base + timedelta(minutes=rng.randrange(0, 365 * 24 * 60))
        target = timedelta(minutes=rng.choice([15, 60, 240, 480, 1440, 2880]))
        pauses: list[duemath.Pause] = []
        for _p in range(rng.randrange(0, 3)):
            a = start + timedelta(minutes=rng.randrange(0, 3000))
            pauses.append((a, a + timedelta(minutes=rng.randrange(1, 2000))))
        inputs.append((start, target, pauses))
    return inputs


def _due_rates(computations: int, repeat: int) -> dict[str, Any]:
    workdays = engine.to_calendar(BusinessCalendar.objects.get(name="workdays"))
    always = duemath.always()
    inputs = _due_inputs(computations)

    def business() -> int:
        for start, target, pauses in inputs:
            duemath.due_at(workdays, start, target, business=True, pauses=pauses)
        return len(inputs)

    def calendar_time() -> int:
        for start, target, pauses in inputs:
            duemath.due_at(always, start, target, business=False, pauses=pauses)
        return len(inputs)

    def baseline() -> int:
        for start, target, _pauses in inputs:
            _ = start + target
        return len(inputs)

    base = rounds(baseline, repeat=repeat)
    biz = rounds(business, repeat=repeat)
    cal = rounds(calendar_time, repeat=repeat)
    return {
        "computations_per_round": computations,
        "business_time_workdays": biz,
        "calendar_time_24x7": cal,
        "baseline_datetime_addition": base,
        "ratio_business_to_baseline": round(biz["per_second_median"] / base["per_second_median"], 5),
    }


def _make_timers(tag: str, count: int, now: datetime) -> tuple[list[int], SlaPolicy]:
    """``count`` tickets with one first-response timer each (shaped per scenario by :func:`_reset`)."""
    leader = User.objects.create(username=f"bench-leader-{tag}", display_name="bench")
    agent = User.objects.create(username=f"bench-agent-{tag}", display_name="bench")
    team = Team.objects.create(name=f"bench-{tag}", leader=leader, created_at=now)
    customer = Customer.objects.create(name=f"bench-{tag}", created_at=now, updated_at=now)
    policy = SlaPolicy.objects.create(
        name=f"bench-{tag}",
        position=10_000,
        is_active=False,
        calendar=BusinessCalendar.objects.get(name="24x7"),
        notify_on_breach=True,
        updated_at=now,
    )
    created = now - timedelta(hours=30)
    Ticket.objects.bulk_create(
        [
            Ticket(
                subject=f"bench {i}",
                customer=customer,
                team=team,
                assignee=agent,
                status="open",
                created_at=created,
                updated_at=created,
                sla_policy=policy,
                sla_state="ok",
            )
            for i in range(count)
        ],
        batch_size=5000,
    )
    ids = list(Ticket.objects.filter(customer=customer).values_list("id", flat=True))
    SlaTimer.objects.bulk_create(
        [
            SlaTimer(
                ticket_id=tid,
                metric="first_response",
                policy=policy,
                calendar="24x7",
                target_seconds=86400,
                started_at=created,
                warn_at=created + timedelta(seconds=69120 + i % 3600),
                due_at=created + timedelta(seconds=86400 + i % 3600),
            )
            for i, tid in enumerate(ids)
        ],
        batch_size=5000,
    )
    return ids, policy


def _timer_where(tag: str) -> tuple[str, list[Any]]:
    customer = Customer.objects.get(name=f"bench-{tag}")
    return f"ticket_id IN (SELECT id FROM {Ticket._meta.db_table} WHERE customer_id = %s)", [customer.pk]  # noqa: S608


def _reset(tag: str, now: datetime, scenario: str = "catch_up") -> None:
    """Undo a sweep of the bench's timers (the sweep stamped everything it wrote with ``now``)
    and shape them for ``scenario``:

    * ``catch_up``: every timer's warning *and* breach are due (after downtime);
    * ``steady``: each timer has one due deadline — even ones their warning, odd ones their
      breach (the warning fired in an earlier sweep) — so firings = timers.
    """
    ct = ContentType.objects.get_for_model(Ticket)
    where, params = _timer_where(tag)
    table = SlaTimer._meta.db_table
    past = connection.ops.adapt_datetimefield_value(now - timedelta(hours=5))
    future = connection.ops.adapt_datetimefield_value(now + timedelta(days=1))
    with transaction.atomic(), connection.cursor() as cursor:
        Notification.objects.filter(ticket__customer__name=f"bench-{tag}").delete()
        AuditEvent.objects.filter(content_type=ct, verb__startswith="sla.", created_at=now).delete()
        if scenario == "catch_up":
            cursor.execute(
                f"UPDATE {table} SET warned_at = NULL, breached_at = NULL, due_at = %s WHERE {where}",  # noqa: S608
                [past, *params],
            )
        else:
            cursor.execute(
                f"UPDATE {table} SET warned_at = NULL, breached_at = NULL, due_at = %s "  # noqa: S608
                f"WHERE {where} AND id %% 2 = 0",
                [future, *params],
            )
            cursor.execute(
                f"UPDATE {table} SET warned_at = warn_at, breached_at = NULL, due_at = %s "  # noqa: S608
                f"WHERE {where} AND id %% 2 = 1",
                [past, *params],
            )


def _cleanup(tag: str, now: datetime) -> None:
    """Remove the bench's rows with plain DELETEs (the ORM would load 100,000 tickets to cascade)."""
    _reset(tag, now)
    customer = Customer.objects.filter(name=f"bench-{tag}").first()
    if customer is not None:
        tickets = f"SELECT id FROM {Ticket._meta.db_table} WHERE customer_id = %s"  # noqa: S608
        with transaction.atomic(), connection.cursor() as cursor:
            for model in (Notification, SlaTimer):
                cursor.execute(
                    f"DELETE FROM {model._meta.db_table} WHERE ticket_id IN ({tickets})",  # noqa: S608
                    [customer.pk],
                )
            cursor.execute(f"DELETE FROM {Ticket._meta.db_table} WHERE customer_id = %s", [customer.pk])  # noqa: S608
    with transaction.atomic():
        SlaPolicy.objects.filter(name=f"bench-{tag}").delete()
        Team.objects.filter(name=f"bench-{tag}").delete()
        Customer.objects.filter(name=f"bench-{tag}").delete()
        User.objects.filter(username__in=[f"bench-leader-{tag}", f"bench-agent-{tag}"]).delete()


@bench(
    "sla",
    "SLA due-time computations per second, and the time to sweep N due timers (steady: one due deadline each; "
    "catch-up after downtime: warning and breach both due)",
    tickets=(int, 100_000, "due timers (one ticket each) to sweep"),
    computations=(int, 20_000, "due-time computations per round"),
    batch=(int, 5000, "timers per sweeper batch (one transaction each)"),
    repeat=(int, 3, "rounds; medians are reported"),
)
def sla_bench(*, tickets: int, computations: int, batch: int, repeat: int) -> dict[str, Any]:
    tag = uuid.uuid4().hex[:8]
    now = clock.now()
    due = _due_rates(computations, repeat)
    setup_start = time.perf_counter()
    ids, _policy = _make_timers(tag, tickets, now)
    setup = time.perf_counter() - setup_start
    try:
        results = {
            scenario: _sweep_rounds(tag, ids, now, scenario, batch, repeat) for scenario in ("steady", "catch_up")
        }
    finally:
        _cleanup(tag, now)
    return {
        "bench": "sla",
        "database": connection.vendor,
        "due_time": due,
        "sweep": {"timers": tickets, "batch": batch, "rounds": repeat, **results},
        "setup_seconds": round(setup, 2),
    }


def _vacuum() -> None:
    """Between rounds (untimed): the resets leave 100,000s of dead rows that a live database
    would not have; PostgreSQL's autovacuum may not have caught up yet."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in (SlaTimer, Notification, AuditEvent, Ticket):
            cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")


def _sweep_rounds(tag: str, ids: list[int], now: datetime, scenario: str, batch: int, repeat: int) -> dict[str, Any]:
    sweeps: list[float] = []
    baselines: list[float] = []
    fired_counts: list[int] = []
    sample = [str(i) for i in ids[:: max(1, len(ids) // 500)]]
    exactly_once = True
    for _round in range(repeat):
        _reset(tag, now, scenario)
        _vacuum()
        start = time.perf_counter()
        fired_counts.append(sweep(now, batch=batch))
        sweeps.append(time.perf_counter() - start)
        audited = AuditEvent.objects.filter(verb__in=["sla.warning", "sla.breached"], object_id__in=sample)
        expected = len(sample) * (2 if scenario == "catch_up" else 1)
        exactly_once = exactly_once and audited.filter(created_at=now).count() == expected
        # Baseline: the same rows stamped by one bare UPDATE per phase (no audit, no notifications).
        _reset(tag, now, scenario)
        _vacuum()
        start = time.perf_counter()
        with transaction.atomic():
            pending = SlaTimer.objects.filter(ticket__customer__name=f"bench-{tag}")
            pending.filter(warn_at__lte=now, warned_at__isnull=True).update(warned_at=now)
            pending.filter(due_at__lte=now, breached_at__isnull=True).update(breached_at=now)
        baselines.append(time.perf_counter() - start)
    seconds = statistics.median(sweeps)
    base = statistics.median(baselines)
    firings = statistics.median(fired_counts)
    return {
        "firings_per_round": firings,
        "seconds_median": round(seconds, 3),
        "seconds_min": round(min(sweeps), 3),
        "timers_per_second_median": round(len(ids) / seconds, 1),
        "firings_per_second_median": round(firings / seconds, 1),
        "baseline_bare_update_seconds_median": round(base, 3),
        "ratio_sweep_to_baseline_time": round(seconds / base, 2) if base else None,
        "each_deadline_audited_once_in_every_round": exactly_once,
    }
