import pytest
from django.core.management import call_command

from kefu import demo

pytestmark = pytest.mark.django_db


def test_migrations_are_complete():
    # Given the models, when makemigrations checks, then nothing is missing.
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_demo_loads_once_and_is_idempotent():
    # Given an empty database, when the demo is loaded twice, then the second does nothing.
    assert demo.load() is True
    assert demo.load() is False
    from kefu.accounts.models import User

    assert set(User.objects.values_list("username", flat=True)) >= {
        "admin",
        "agent",
        "aftersales",
        "finance",
        "sales",
        "tech",
        "supervisor",
    }


def test_demo_ships_every_seed_canned_reply():
    import json
    from importlib import resources

    from kefu.knowledge.models import CannedReply

    demo.load()
    shipped = json.loads(
        resources.files("kefu.knowledge").joinpath("data/canned_replies.json").read_text(encoding="utf-8")
    )
    # Every seed-003 appendix phrase (and the seed 002/000 phrases) is the company library
    # (the demo adds team and personal replies of its agents besides).
    company = CannedReply.objects.filter(scope="company")
    assert {item["key"] for item in shipped} == set(company.values_list("key", flat=True))
    assert sum(1 for item in shipped if item["source"] == "003") >= 40
    assert CannedReply.objects.filter(text__contains="20元").exists()  # seed 002's coupon phrase


def test_the_demo_sends_nothing_out(db, django_capture_on_commit_callbacks):
    """Its seeded agent replies in the email and platform conversations stay inside kefu."""
    from kefu import demo
    from kefu.intake.models import MailMessage, PlatformDelivery

    with django_capture_on_commit_callbacks(execute=True):
        demo.load()
    assert PlatformDelivery.objects.count() == 0
    assert not MailMessage.objects.filter(direction="out").exists()
