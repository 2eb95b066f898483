"""A home for every role, and a navigation that shows what the role uses (issue 15, R42)."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from kefu.web.home import nav_for

pytestmark = pytest.mark.django_db

HOMES = {
    "finance": "/cases/finance/",
    "aftersales": "/cases/?status=open",
    "technician": "/service-orders/?view=mine",
    "supervisor": "/inbox/?view=teams",
    "admin": "/inbox/?view=teams",
}


@pytest.mark.parametrize(("role", "home"), sorted(HOMES.items()))
def test_each_role_lands_where_its_work_is(client, roles, role, home):
    client.force_login(roles[role])
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == home
    # and the home page itself opens for that role.
    assert client.get(home).status_code == 200


@pytest.mark.parametrize("role", ["reception", "sales"])
def test_agents_stay_on_the_cockpit(client, roles, role):
    client.force_login(roles[role])
    response = client.get("/", follow=True)
    assert response.status_code == 200
    nav = nav_for(roles[role], "/")
    assert nav["primary"][0]["key"] == "cockpit"


def test_navigation_shows_the_roles_pages_first_and_the_rest_under_more(client, roles):
    finance = roles["finance"]
    nav = nav_for(finance, "/cases/finance/")
    primary = [i["key"] for i in nav["primary"]]
    more = [i["key"] for i in nav["more"]]
    assert primary[0] == "refunds"
    assert nav["primary"][0]["active"]
    assert "kb" in more  # still reachable
    assert "settings" not in primary + more  # not staff
    # Every page a role may open is in one of the two lists, once.
    for user in roles.values():
        nav = nav_for(user, "/")
        keys = [i["key"] for i in nav["primary"] + nav["more"]]
        assert len(keys) == len(set(keys))
    # The page draws the menu under 更多, openable without a script (<details>).
    client.force_login(finance)
    with translation.override("zh-hans"):
        html = client.get("/cases/finance/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    nav_html = html[html.index('<nav class="mainnav"') : html.index("</nav>")]
    assert '<details class="nav-more' in nav_html
    assert "<summary" in nav_html
    finance_nav = nav_for(finance, "/cases/finance/")
    assert len(re.findall(r"<a href=", nav_html)) == len(finance_nav["primary"]) + len(finance_nav["more"])


def test_technician_sees_no_page_they_cannot_open(client, roles):
    technician = roles["technician"]
    client.force_login(technician)
    nav = nav_for(technician, "/")
    for item in nav["primary"] + nav["more"]:
        status = client.get(item["url"]).status_code
        assert status in (200, 302), (item["key"], status)


def test_presence_dot_has_the_presence_colour(client, roles):
    agent = roles["reception"]
    agent.presence = "offline"
    agent.save(update_fields=["presence"])
    client.force_login(agent)
    html = client.get("/kb/").content.decode()
    assert 'class="live-dot dot-offline"' in html


def test_finance_signs_in_and_lands_on_the_refunds_to_pay(client, roles):
    finance = roles["finance"]
    finance.set_password("pw-for-tests-123")
    finance.save()
    response = client.post("/login/", {"username": finance.username, "password": "pw-for-tests-123"}, follow=True)
    assert response.redirect_chain[-1][0] == "/cases/finance/"
    assert response.status_code == 200


def test_the_refund_confirmation_keeps_the_refunds_link_marked(roles):
    nav = nav_for(roles["finance"], "/cases/12/pay/")
    active = [i["key"] for i in nav["primary"] + nav["more"] if i["active"]]
    assert active == ["refunds"]
