"""The one search box (kefu.finder): indexing on store, Chinese folding, permissions, hostile input."""

import asyncio
import io
import json

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.test import Client

from kefu.conversations import batcher
from kefu.conversations.actions import Post, do_post_message, post_many
from kefu.core import clock
from kefu.finder.index import rebuild
from kefu.finder.models import MessageDoc, RecordDoc
from kefu.finder.query import search
from tests.factories import ConversationFactory, CustomerFactory, IdentityFactory, TicketFactory, UserFactory

pytestmark = pytest.mark.django_db


def _api(user, **query):
    client = Client()
    client.force_login(user)
    return client.get("/api/v1/search", query)


def test_a_posted_message_is_indexed_in_its_transaction_and_found_by_traditional_spelling(roles):
    conversation = ConversationFactory()
    # Given a customer message in Simplified characters, stored by the ordinary action,
    message, _ = do_post_message(conversation, author_kind="customer", text="我想退货，运费谁出？", now=clock.now())
    # then its search row exists at once (no job, no commit needed),
    assert MessageDoc.objects.filter(message_id=message.pk).exists()
    # and the Traditional spelling and a two-character word find it, highlighted.
    for q in ("退貨", "運費", "退货"):
        found = [r for r in search(roles["reception"], q, types=["message"]) if r.id == message.pk]
        assert found, q
        assert "<mark>" in found[0].snippet
        assert found[0].url.endswith(f"/conversations/{conversation.pk}/#m{message.pk}")


def test_a_group_commit_batch_indexes_every_message_of_the_batch(roles):
    a, b = ConversationFactory(), ConversationFactory()
    # Given a batch of three posts to two conversations (the sockets' group commit),
    results = post_many(
        [
            Post(conversation_id=a.pk, author_kind="customer", text="快遞單號是多少"),
            Post(conversation_id=b.pk, author_kind="agent", text="您的快递已经发出"),
            Post(conversation_id=a.pk, author_kind="customer", text="谢谢"),
        ],
        now=clock.now(),
    )
    ids = [r[0].pk for r in results]
    # then each of them has its row, and 快递 finds both parcels' messages, newest first.
    assert set(MessageDoc.objects.filter(message_id__in=ids).values_list("message_id", flat=True)) == set(ids)
    found = [r.id for r in search(roles["reception"], "快递", types=["message"])]
    assert found[:2] == [ids[1], ids[0]]


@pytest.mark.django_db(transaction=True)
def test_the_socket_batcher_path_indexes_its_messages():
    conversation = ConversationFactory()
    user = UserFactory(role="reception", username="batcher-searcher")

    async def send():
        return await batcher.submit(Post(conversation_id=conversation.pk, author_kind="customer", text="發票怎麼開"))

    message, created, _conv = asyncio.run(send())
    assert created
    assert [r.id for r in search(user, "发票", types=["message"])] == [message.pk]


def test_records_are_indexed_after_commit(roles, django_capture_on_commit_callbacks):
    # Given a customer with a phone and a ticket written inside a transaction,
    with django_capture_on_commit_callbacks(execute=True):
        customer = CustomerFactory(name="陳靜", company="深圳光通訊")
        IdentityFactory(customer=customer, value="13812345678")
        ticket = TicketFactory(subject="光模塊無法識別", customer=customer, description="交換機報錯")
    user = roles["reception"]
    # then the customer is found by name in either script, company word and phone fragment,
    for q in ("陈静", "陳靜", "光通讯", "5678", "13812345678"):
        assert ("customer", customer.pk) in {(r.type, r.id) for r in search(user, q)}, q
    # and the ticket by a word of its subject or description.
    for q in ("光模块", "识别", "交换机"):
        assert ("ticket", ticket.pk) in {(r.type, r.id) for r in search(user, q, types=["ticket"])}, q
    assert RecordDoc.objects.filter(kind="ticket", object_id=ticket.pk).count() == 1


def test_orders_cases_complaints_and_conversations_are_found_with_their_links(
    roles, django_capture_on_commit_callbacks
):
    from tests.factories_cases import CaseFactory, OrderLineFactory
    from tests.factories_complaints import ComplaintFactory

    # Given an order with a line, an after-sales case on it, a complaint and a conversation,
    with django_capture_on_commit_callbacks(execute=True):
        line = OrderLineFactory(name="萬兆光模塊", order__platform_order_no="TB2026998877")
        order = line.order
        case = CaseFactory(order=order, description="收到的貨物外殼破損")
        complaint = ComplaintFactory(customer=order.customer, summary="快遞員態度惡劣，包裹被扔在門口")
        conversation = ConversationFactory(customer=order.customer, subject="咨詢發貨時間")
    user = roles["aftersales"]

    def found(q, kind):
        return {r.id: r for r in search(user, q, types=[kind])}

    # then each is found by a word of its own text, in Simplified, with its page as the link;
    assert found("TB2026998877", "order")[order.pk].url == f"/orders/{order.pk}/"
    assert order.pk in found("光模块", "order")
    assert found("破损", "case")[case.pk].url == f"/cases/{case.pk}/"
    assert found("态度恶劣", "complaint")[complaint.pk].url == f"/complaints/{complaint.pk}/"
    assert found("发货时间", "conversation")[conversation.pk].url == f"/conversations/{conversation.pk}/"
    # and the customer by the order number.
    assert order.customer_id in found("TB2026998877", "customer")


def test_a_rolled_back_write_indexes_nothing(django_capture_on_commit_callbacks):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                CustomerFactory(name="回滚客户")
                raise RuntimeError
        except RuntimeError:
            pass
    assert callbacks == []
    assert not RecordDoc.objects.filter(title="回滚客户").exists()


def test_rebuild_indexes_what_was_stored_before(roles):
    conversation = ConversationFactory()
    message, _ = do_post_message(conversation, author_kind="customer", text="保修多久", now=clock.now())
    MessageDoc.objects.all().delete()
    out = io.StringIO()
    call_command("search_reindex", stdout=out)
    assert json.loads(out.getvalue())["message"] >= 1
    assert rebuild()["message"] == 0  # a second run finds nothing left to index
    assert [r.id for r in search(roles["reception"], "保修", types=["message"])] == [message.pk]


def test_api_answers_in_the_documented_shape(roles):
    conversation = ConversationFactory()
    message, _ = do_post_message(conversation, author_kind="customer", text="退款什么时候到账", now=clock.now())
    response = _api(roles["aftersales"], q="退款", types="message,article", limit="3")
    assert response.status_code == 200
    results = response.json()["results"]
    assert {"type", "id", "title", "snippet", "url", "at"} <= set(results[0])
    assert {r["type"] for r in results} <= {"message", "article"}
    assert any(r["type"] == "message" and r["id"] == message.pk for r in results)
    assert any(r["type"] == "article" for r in results)  # the shipped knowledge base has refund articles
    assert len([r for r in results if r["type"] == "article"]) <= 3


def test_a_user_without_the_view_permission_finds_nothing_of_that_kind(roles):
    conversation = ConversationFactory()
    do_post_message(conversation, author_kind="customer", text="我要投诉你们的快递", now=clock.now())
    # Given a user whose only right is to read knowledge articles,
    reader = UserFactory(role="reception", username="kb-only")
    reader.groups.clear()
    group = Group.objects.create(name="kb readers")
    group.permissions.add(Permission.objects.get(codename="view_article", content_type__app_label="knowledge"))
    reader.groups.add(group)
    # then the search finds articles but no message, through the API and the page alike;
    results = _api(reader, q="快递").json()["results"]
    assert results
    assert {r["type"] for r in results} == {"article"}
    client = Client()
    client.force_login(reader)
    page = client.get("/search/", {"q": "投诉 快递"})
    assert page.status_code == 200
    assert "我要投诉" not in page.content.decode()
    # and a user with no right at all is refused before the query is read.
    reader.groups.clear()
    assert _api(reader, q="\x00").status_code in (400, 403)
    assert _api(reader, q="快递").status_code == 403
    assert client.get("/search/", {"q": "快递"}).status_code == 403


@pytest.mark.parametrize(
    "q",
    [
        "%",
        "_",
        '"',
        '退货"',
        "*",
        "退*",
        "NEAR(退货 运费)",
        "-退货",
        "退货 OR 运费",
        "退货 AND NOT 运费",
        "^退货",
        "col:退货",
        "tokens:退货",
        "'; DROP TABLE x; --",
        "(((",
        "\\",
        "😀",
        "㊣",
        "a" * 200,
        "退" * 200,
    ],
)
def test_hostile_queries_never_fail(roles, q):
    conversation = ConversationFactory()
    do_post_message(conversation, author_kind="customer", text="退货运费 % _ * NEAR", now=clock.now())
    response = _api(roles["reception"], q=q)
    assert response.status_code == 200, response.content
    page = Client()
    page.force_login(roles["reception"])
    assert page.get("/search/", {"q": q}).status_code == 200
    assert page.get("/search/", {"q": q, "fragment": "1"}).status_code == 200


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"q": "退货\x00"}, "q"),
        ({"q": "退" * 10_000}, "q"),
        ({"q": ""}, "q"),
        ({"q": "退货", "types": "message,secret"}, "types"),
        ({"q": "退货", "limit": "0"}, "limit"),
        ({"q": "退货", "limit": "51"}, "limit"),
        ({"q": "退货", "limit": "²"}, "limit"),
        ({"q": "退货", "limit": "1e3"}, "limit"),
        ({"q": "退货", "types": " message"}, "types"),
        ({"q": "退" * 201}, "q"),
    ],
)
def test_bad_input_is_a_400_in_the_house_shape(roles, query, field):
    response = _api(roles["reception"], **query)
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["error"] in ("invalid", "invalid_text")
    assert body["message"]


def test_a_lone_surrogate_or_broken_utf8_in_the_url_is_never_a_5xx(roles):
    client = Client()
    client.force_login(roles["reception"])
    for raw in ("q=%ED%A0%80", "q=%FF%FE", "q=%E9%80", "q=%00", "types=%ED%A0%80&q=a"):
        assert client.get(f"/api/v1/search?{raw}").status_code < 500, raw
        assert client.get(f"/search/?{raw}").status_code < 500, raw


def test_the_top_bar_has_the_search_box(roles):
    client = Client()
    client.force_login(roles["reception"])
    html = client.get("/search/").content.decode()
    assert 'id="finder-q"' in html
    assert "finder/finder.js" in html
