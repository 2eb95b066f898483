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


def _visible(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


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


def test_an_unassigned_complaint_can_be_taken(client, roles):
    from kefu.complaints.models import Complaint
    from tests.factories_complaints import ComplaintFactory

    complaint = ComplaintFactory(handler=None)
    # Given an after-sales agent on an unassigned complaint, the page offers 领取,
    agent = roles["aftersales"]
    client.force_login(agent)
    page = client.get(f"/complaints/{complaint.pk}/").content.decode()
    assert 'id="claim"' in page
    # and taking it makes the complaint theirs, with the history saying so (not as a code).
    response = client.post(f"/complaints/{complaint.pk}/claim/")
    assert response.status_code == 302
    assert Complaint.objects.get(pk=complaint.pk).handler_id == agent.pk
    page = client.get(f"/complaints/{complaint.pk}/").content.decode()
    assert 'id="claim"' not in page
    assert "complaint.claimed" not in page
    # A reception agent, who does not handle complaints, is told who will instead of a dead end.
    other = ComplaintFactory(handler=None)
    client.force_login(roles["reception"])
    page = client.get(f"/complaints/{other.pk}/").content.decode()
    assert 'id="unclaimed"' in page
    assert client.post(f"/complaints/{other.pk}/claim/").status_code == 302
    assert Complaint.objects.get(pk=other.pk).handler_id is None


def test_someone_elses_complaint_cannot_be_taken(roles):
    from kefu.complaints.actions import check_claim_complaint
    from kefu.core.errors import Conflict
    from tests.factories_complaints import ComplaintFactory

    complaint = ComplaintFactory(handler=roles["supervisor"])
    with pytest.raises(Conflict):
        check_claim_complaint(complaint, actor=roles["aftersales"])


def test_quality_pages_name_agents_by_display_name(client, roles):
    from kefu.core import clock
    from kefu.quality.actions import default_scorecard
    from kefu.quality.models import Inspection
    from tests.factories import ConversationFactory

    agent = roles["reception"]  # username u_reception, display name 客服…
    Inspection.objects.create(
        conversation=ConversationFactory(),
        agent=agent,
        scorecard=default_scorecard(),
        score=80,
        created_at=clock.now(),
    )
    client.force_login(roles["supervisor"])
    team = client.get("/quality/team/").content.decode()
    assert agent.display_name in team
    assert agent.username not in _visible(team)  # only in links and form values
    listing = client.get("/quality/inspections/", {"agent": agent.username}).content.decode()
    heading = listing[listing.index("<h1>") : listing.index("</h1>")]
    assert agent.display_name in heading
    assert agent.username not in _visible(heading)


def test_new_ticket_from_the_menu_finds_the_customer_first(client, roles):
    from tests.factories import CustomerFactory

    customer = CustomerFactory(name="黄志强")
    client.force_login(roles["reception"])
    # Opened from the menu, the page asks whom the ticket is for — no error, no disabled button,
    page = client.get("/tickets/new/").content.decode()
    assert 'class="error"' not in page
    assert "disabled" not in page[page.index("<main") :]
    assert 'name="q"' in page
    # a search lists the customer, and choosing them opens the ticket form.
    found = client.get("/tickets/new/", {"q": "黄志"}).content.decode()
    assert f'href="?customer={customer.pk}"' in found
    form = client.get("/tickets/new/", {"customer": customer.pk}).content.decode()
    assert 'name="subject"' in form


def test_the_calls_pages_log_a_contact_button_is_not_inside_the_heading(client, roles):
    client.force_login(roles["reception"])
    page = client.get("/calls/").content.decode()
    heading = re.search(r"<h1>.*?</h1>", page, flags=re.S).group(0)
    assert "log-contact" not in heading
    assert 'id="log-contact"' in page


def test_favicon_is_served(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert response.content[:4] == b"\x00\x00\x01\x00"  # an ICO header


def test_a_refusal_is_logged_in_one_line_without_a_traceback(client, roles, caplog):
    import logging

    client.force_login(roles["technician"])
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get("/quality/team/")  # technicians do not review quality: 403
    assert response.status_code == 403
    refused = [r for r in caplog.records if r.name == "django.request" and getattr(r, "status_code", 0) == 403]
    assert refused
    assert all(r.exc_info is None for r in refused)
    assert "Forbidden" in refused[0].getMessage()
