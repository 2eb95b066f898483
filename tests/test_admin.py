import io

import pytest
from django.contrib import admin
from django.urls import reverse

from kefu import demo
from kefu.accounts.models import ApiToken, User
from kefu.conversations.models import Conversation

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    demo.load()
    client.force_login(User.objects.get(username="admin"))
    return client


def test_every_admin_list_and_record_page_opens(admin_client):
    # Given the demo, every registered model's list and first record open for the administrator.
    for model in admin.site._registry:
        meta = model._meta
        url = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        assert admin_client.get(url).status_code == 200, url
        first = model._default_manager.first()
        if first is not None:
            change = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[first.pk])
            assert admin_client.get(change).status_code == 200, change


def test_domain_records_are_read_only_in_the_admin(admin_client):
    conversation = Conversation.objects.first()
    url = reverse("admin:conversations_conversation_change", args=[conversation.pk])
    response = admin_client.post(url, {"status": "closed"})
    conversation.refresh_from_db()
    assert response.status_code == 403
    assert conversation.status != "closed"


def test_admin_revokes_tokens_through_the_action(admin_client):
    from django.core.management import call_command

    call_command("token", "create", "agent", stdout=io.StringIO())
    token = ApiToken.objects.get(user__username="agent")
    admin_client.post(
        reverse("admin:accounts_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    token.refresh_from_db()
    assert token.revoked_at is not None
    from kefu.core.events import audit_trail

    assert audit_trail(token.user).filter(verb="api_token.revoked").exists()
