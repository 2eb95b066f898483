"""``kefu bench sla`` at a tiny size, so its code cannot rot (the figures are in docs/benchmarks.md)."""

import io
import json

import pytest
from django.core.management import call_command


@pytest.mark.django_db(transaction=True)
def test_bench_sla_prints_medians_a_baseline_and_exactly_once_at_a_tiny_size():
    # Given the shipped calendars and policies (a transactional test before may have flushed them)
    from tests.factories import ensure_sla_defaults

    ensure_sla_defaults()
    # and a tiny run: 30 due timers, 200 due-time computations a round, two rounds
    out = io.StringIO()
    call_command(
        "bench", "sla", "--tickets", "30", "--computations", "200", "--batch", "10", "--repeat", "2", stdout=out
    )
    # Then it prints one JSON object with medians and same-run baselines
    result = json.loads(out.getvalue())
    assert result["bench"] == "sla"
    assert result["due_time"]["ratio_business_to_baseline"] > 0
    for scenario in ("steady", "catch_up"):
        sweep = result["sweep"][scenario]
        assert sweep["timers_per_second_median"] > 0
        assert sweep["baseline_bare_update_seconds_median"] > 0
        # every due deadline fired exactly once in every round (steady: one per timer, catch-up: two)
        assert sweep["each_deadline_audited_once_in_every_round"] is True
    assert result["sweep"]["steady"]["firings_per_round"] == 30
    assert result["sweep"]["catch_up"]["firings_per_round"] == 60
    # and the bench removed what it wrote
    from kefu.tickets.models import Ticket

    assert not Ticket.objects.filter(customer__name__startswith="bench-").exists()
