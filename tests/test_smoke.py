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
