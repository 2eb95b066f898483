"""Who may download ``/attachments/<id>/`` (issue 20): signed-in staff in the browser, and API
clients with a bearer token (the API hands out these urls in a message's ``attachments``), each
with the right to read conversations.  A bad token is a 401 in the house shape, never the login
page; a customer's file never reaches anyone else."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kefu.accounts.actions import do_create_api_token
from kefu.conversations.actions import do_post_message
from kefu.core import clock
from kefu.core.actions import has_perm
from tests.factories import ConversationFactory, UserFactory

pytestmark = pytest.mark.django_db

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture
def url():
    msg, _ = do_post_message(
        ConversationFactory(),
        author_kind="customer",
        text="",
        now=clock.now(),
        attachments=[SimpleUploadedFile("身份证.png", PNG, "image/png")],
    )
    return msg.attachments.get().url


def test_a_signed_in_agent_downloads_it(client, roles, url):
    client.force_login(roles["reception"])
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    assert response["Cache-Control"].startswith("private")


def test_an_api_client_downloads_it_with_its_token(client, roles, url):
    _token, raw = do_create_api_token(roles["aftersales"], now=clock.now())
    response = client.get(url, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    assert "Authorization" in response["Vary"]


@pytest.mark.parametrize("header", ["Bearer kefu_forged", "Bearer ", "Basic dXNlcjpwYXNz"])
def test_a_bad_token_is_a_401_in_the_house_shape(client, url, header):
    response = client.get(url, HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response.json()["error"] == "unauthorized"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_token_or_a_deactivated_user_is_refused(client, roles, url):
    token, raw = do_create_api_token(roles["aftersales"], now=clock.now())
    token.revoked_at = clock.now()
    token.save(update_fields=["revoked_at"])
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    _token2, raw2 = do_create_api_token(roles["reception"], now=clock.now())
    roles["reception"].is_active = False
    roles["reception"].save(update_fields=["is_active"])
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {raw2}").status_code == 401


def test_nobody_signed_in_goes_to_the_login_page(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "/login" in response["Location"]


def test_a_user_without_the_right_to_read_conversations_gets_nothing(client, url):
    nobody = UserFactory(username="no_role")
    nobody.groups.clear()
    assert not has_perm(nobody, "conversations.view_conversation")
    _token, raw = do_create_api_token(nobody, now=clock.now())
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 404
