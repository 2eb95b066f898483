import pytest

from kefu.core import clock
from kefu.core.errors import Conflict, ValidationFailed
from kefu.core.events import audit_trail
from kefu.customers.actions import (
    check_add_identity,
    check_assign_owner,
    check_merge_customers,
    check_set_vip_tier,
    do_create_customer,
    do_find_or_create_by_identity,
)
from kefu.customers.identities import normalise
from kefu.customers.names import salutation_for
from tests.factories import ConversationFactory, CustomerFactory, TicketFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("name", "gender", "expected"),
    [
        ("张伟", "male", "张先生"),
        ("高洁", "female", "高女士"),
        ("欧阳娜娜", "female", "欧阳女士"),
        ("Tom", "male", "Tom"),
        ("李四", "", "李四"),
    ],
)
def test_salutation(name, gender, expected):
    assert salutation_for(name, gender) == expected


def test_explicit_salutation_wins():
    customer = CustomerFactory(name="高洁", gender="female", salutation="高小姐")
    assert customer.display_salutation == "高小姐"


@pytest.mark.parametrize(
    ("kind", "raw", "value"),
    [
        ("phone", "+86 138-0013-8000", "13800138000"),
        ("phone", "0086 13800138000", "13800138000"),
        ("email", " ZhangWei@Example.COM ", "zhangwei@example.com"),
        ("platform", "TaoBao:买家A", "taobao:买家A"),
    ],
)
def test_identity_values_are_normalised(kind, raw, value):
    assert normalise(kind, raw) == value


@pytest.mark.parametrize(
    ("kind", "raw"), [("email", "not-an-email"), ("phone", "abc"), ("platform", "no-colon"), ("fax", "x")]
)
def test_bad_identities_are_refused(kind, raw):
    with pytest.raises(ValidationFailed):
        normalise(kind, raw)


def test_identity_is_unique_per_kind(roles):
    do_create_customer(now=clock.now(), name="甲", identities=[("phone", "13800000001")])
    other = CustomerFactory()
    with pytest.raises(Conflict):
        check_add_identity(other, "phone", "+86 13800000001", actor=roles["reception"])


def test_intake_finds_the_same_customer_by_any_spelling():
    first, created = do_find_or_create_by_identity("phone", "138 0000 0002", now=clock.now())
    again, created_again = do_find_or_create_by_identity("phone", "+8613800000002", now=clock.now())
    assert created
    assert not created_again
    assert first.pk == again.pk


def test_merge_keeps_all_history(roles):
    # Given a duplicate with its own identity, conversation, ticket, remark and tag,
    target = do_create_customer(now=clock.now(), name="张伟", identities=[("phone", "13800000003")])
    source = do_create_customer(
        now=clock.now(), name="", identities=[("email", "zw@example.com")], usual_courier="圆通"
    )
    conversation = ConversationFactory(customer=source)
    ticket = TicketFactory(customer=source)
    source.remarks.create(text="要纸质发票", created_at=clock.now())
    # when a supervisor merges it,
    merged = check_merge_customers(source, target, actor=roles["supervisor"])
    # then everything points at the target, nothing is lost, and both sides are audited.
    conversation.refresh_from_db()
    ticket.refresh_from_db()
    source.refresh_from_db()
    assert conversation.customer_id == ticket.customer_id == target.pk
    assert {i.value for i in merged.identities.all()} == {"13800000003", "zw@example.com"}
    assert merged.remarks.get().text == "要纸质发票"
    assert merged.usual_courier == "圆通"
    assert source.merged_into_id == target.pk
    assert audit_trail(target).filter(verb="customer.merged").exists()
    # and intake by the duplicate's identity now finds the target.
    assert do_find_or_create_by_identity("email", "zw@example.com", now=clock.now())[0].pk == target.pk
    with pytest.raises(ValidationFailed):
        check_merge_customers(target, target, actor=roles["supervisor"])


def test_search_finds_traditional_names_by_simplified_and_back():
    from kefu.customers.selectors import search_customers

    # Given a customer typed in Traditional characters,
    customer = do_create_customer(now=clock.now(), name="陳靜", company="臺灣光通訊")
    # when an agent searches in Simplified (or Traditional), then it is found.
    assert list(search_customers("陈静")) == [customer]
    assert list(search_customers("陳靜")) == [customer]
    assert list(search_customers("台湾光通讯")) == [customer]
    assert list(search_customers("王五")) == []


def test_changes_are_audited_once_with_old_and_new_values(roles):
    customer = CustomerFactory()
    owner = roles["sales"]
    # Given a supervisor setting the VIP tier twice and an owner,
    check_set_vip_tier(customer, 2, actor=roles["supervisor"])
    check_set_vip_tier(customer, 2, actor=roles["supervisor"])
    check_assign_owner(customer, owner, actor=roles["supervisor"])
    # then only real changes are audited, related rows by id.
    rows = {row.verb: row.data for row in audit_trail(customer)}
    assert audit_trail(customer).filter(verb="customer.vip_tier").count() == 1
    assert rows["customer.vip_tier"] == {"changed": {"vip_tier": [0, 2]}}
    assert rows["customer.owner"] == {"changed": {"owner": [None, owner.pk]}}


def test_identity_race_between_check_and_insert_ends_in_a_conflict_not_a_crash(monkeypatch):
    from django.db.models.query import QuerySet

    first, _ = do_find_or_create_by_identity("phone", "13800000099", now=clock.now())
    # Given another request that inserted the identity after our existence check,
    monkeypatch.setattr(QuerySet, "exists", lambda self: False)
    # when we insert it too, then the unique constraint turns into a clean Conflict,
    with pytest.raises(Conflict):
        do_create_customer(now=clock.now(), name="乙", identities=[("phone", "13800000099")])
    # and intake that loses the race (its lookup found nothing) returns the customer who won it.
    monkeypatch.setattr(QuerySet, "first", lambda self: None)
    assert do_find_or_create_by_identity("phone", "13800000099", now=clock.now()) == (first, False)
