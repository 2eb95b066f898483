"""Sign-in rate limit and lockout (kefu.accounts.lockout, docs/logins.md), through the real
login pages: 5 failures per user name or 20 per address within 15 minutes lock the sign-in."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.test import Client

from kefu.accounts.models import LoginFailure
from kefu.core import clock
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LOCKED = "Too many failed sign-ins"


def _client(ip: str = "203.0.113.7") -> Client:
    client = Client(REMOTE_ADDR=ip)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _login(client: Client, username: str, password: str, path: str = "/login/") -> str:
    response = client.post(path, {"username": username, "password": password})
    if response.status_code == 302:
        return "signed in"
    return response.content.decode()


def test_five_failures_lock_the_user_name_until_the_window_passes():
    user = UserFactory(username="wangfang")
    user.set_password("right-password-123")
    user.save()
    start = clock.now()
    with time_machine.travel(start, tick=False):
        # Given four wrong passwords, each answered as a wrong password,
        for _ in range(4):
            assert LOCKED not in _login(_client(), "wangfang", "wrong")
        # when the fifth fails, then the answer says the sign-in is locked and until when,
        page = _login(_client(), "wangfang", "wrong")
        assert LOCKED in page
        assert "15 more minutes" in page
        # and even the right password is refused — from any address, in any letter case.
        assert LOCKED in _login(_client("198.51.100.9"), "WangFang", "right-password-123")
        assert LoginFailure.objects.filter(username="wangfang").count() == 5  # locked tries are not counted
    with time_machine.travel(start + timedelta(minutes=14), tick=False):
        assert LOCKED in _login(_client(), "wangfang", "right-password-123")
    # After 15 minutes the right password works and clears the failures.
    with time_machine.travel(start + timedelta(minutes=15, seconds=1), tick=False):
        assert _login(_client(), "wangfang", "right-password-123") == "signed in"
    assert not LoginFailure.objects.filter(username="wangfang").exists()


def test_twenty_failures_from_one_address_lock_that_address():
    user = UserFactory(username="lihua")
    user.set_password("right-password-123")
    user.save()
    # Given 20 failed sign-ins from one address, each for another (unknown) user name,
    for i in range(20):
        _login(_client("192.0.2.50"), f"guess{i}", "x")
    # then that address is locked even for a real user with the right password,
    assert LOCKED in _login(_client("192.0.2.50"), "lihua", "right-password-123")
    # while another address signs in.
    assert _login(_client("192.0.2.51"), "lihua", "right-password-123") == "signed in"


def test_the_admin_sign_in_is_locked_too():
    admin = UserFactory(username="boss", role="admin", is_staff=True)
    admin.set_password("right-password-123")
    admin.save()
    for _ in range(5):
        _login(_client(), "boss", "wrong", path="/admin/login/")
    page = _login(_client(), "boss", "right-password-123", path="/admin/login/")
    assert LOCKED in page


def test_a_success_before_the_limit_resets_the_count():
    user = UserFactory(username="zhaolei")
    user.set_password("right-password-123")
    user.save()
    for _ in range(4):
        _login(_client(), "zhaolei", "wrong")
    assert _login(_client(), "zhaolei", "right-password-123") == "signed in"
    for _ in range(4):
        assert LOCKED not in _login(_client(), "zhaolei", "wrong")
