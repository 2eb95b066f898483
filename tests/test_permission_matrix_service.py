"""Role × action matrix of complaints, quality inspection, agent assist and the FAQ bot (issue 7, 9).

The after-sales apps and the knowledge base keep their own matrices (tests/test_orders_roles.py,
tests/test_cases_permissions.py, tests/test_kb_permissions.py); the last test here checks that, with
tests/test_permission_matrix.py, every registered action of the platform has a row somewhere."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import factory
import pytest

from kefu.core import clock
from kefu.core.actions import load_all
from kefu.core.errors import PermissionDenied
from tests.factories import ChannelFactory, ConversationFactory, CustomerFactory, TicketFactory, UserFactory
from tests.factories_complaints import ComplaintFactory, transcript

ALL = {"reception", "aftersales", "finance", "sales", "technician", "supervisor", "admin"}
HANDLERS = {"aftersales", "supervisor", "admin"}
LEADERS = {"supervisor", "admin"}

EXPECTED: dict[str, set[str]] = {
    "complaints.check_register_complaint": ALL,
    "complaints.check_complaint_from_conversation": ALL,
    "complaints.check_complaint_from_ticket": ALL,
    "complaints.check_add_note": HANDLERS,
    "complaints.check_finish_task": HANDLERS,
    "complaints.check_claim_complaint": HANDLERS,
    "complaints.check_verify_staff_fault": LEADERS,
    "complaints.check_appeal_fault": ALL,  # own entries only (tested in test_complaints_record)
    "complaints.check_decide_fault": {"admin"},
    "quality.check_sample": LEADERS,
    "quality.check_review": LEADERS,
    "quality.check_appeal": ALL,  # own inspections only (tested in test_quality_inspect)
    "quality.check_decide_appeal": LEADERS,
    "assist.check_update_settings": {"admin"},
    "bot.check_set_channel_bot": {"admin"},
}


class ComplaintTaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "complaints.ComplaintTask"

    complaint = factory.SubFactory(ComplaintFactory)
    owner = factory.SubFactory(UserFactory)
    department = "物流部"
    description = "补发配件并回访"
    due_at = factory.LazyFunction(lambda: clock.now() + timedelta(days=2))
    created_at = factory.LazyFunction(clock.now)


def _analysed_about_staff() -> Any:
    from kefu.accounts.choices import Role
    from kefu.complaints.actions import do_fire

    handler = UserFactory(role=Role.AFTERSALES)
    complaint = ComplaintFactory()
    do_fire(complaint, "contact", actor=handler, now=clock.now(), data={"note": "已电话联系客户"})
    do_fire(
        complaint,
        "analyse",
        actor=handler,
        now=clock.now(),
        data={"responsibility": "staff", "staff": UserFactory().username, "cause": "回复不及时"},
    )
    return complaint


def _fault_of(staff: Any) -> Any:
    from kefu.accounts.choices import Role
    from kefu.complaints.actions import check_verify_staff_fault
    from kefu.complaints.models import Complaint

    complaint = _analysed_about_staff()
    Complaint.objects.filter(pk=complaint.pk).update(about_staff=staff)
    complaint.refresh_from_db()
    return check_verify_staff_fault(complaint, actor=UserFactory(role=Role.SUPERVISOR))


def _inspection(agent: Any, kind: str = "auto") -> Any:
    from kefu.quality.actions import do_inspect_conversation

    conversation = transcript(
        [("customer", 0, "你好，我的订单什么时候发货？"), ("agent", 60, "不知道，你自己看物流。")], agent=agent
    )
    return do_inspect_conversation(conversation, now=clock.now(), kind=kind)


def _failed_check(agent: Any, *, appealed: bool = False) -> Any:
    from kefu.quality.actions import check_appeal

    check = _inspection(agent).checks.filter(status="fail").first()
    assert check is not None
    if appealed:
        check = check_appeal(check, "客户当时已经离线", actor=agent)
    return check


def _calls() -> dict[str, Callable[[Any], Any]]:
    from kefu.assist import actions as assist
    from kefu.bot import actions as bot
    from kefu.complaints import actions as comp
    from kefu.quality import actions as quality

    fields = {"channel": "phone", "summary": "快递三天没有更新", "wants": "尽快处理", "severity": "normal"}
    return {
        "complaints.check_register_complaint": lambda u: comp.check_register_complaint(
            CustomerFactory(), actor=u, **fields
        ),
        "complaints.check_complaint_from_conversation": lambda u: comp.check_complaint_from_conversation(
            ConversationFactory(), actor=u
        ),
        "complaints.check_complaint_from_ticket": lambda u: comp.check_complaint_from_ticket(TicketFactory(), actor=u),
        "complaints.check_add_note": lambda u: comp.check_add_note(ComplaintFactory(), "已回电客户", actor=u),
        "complaints.check_finish_task": lambda u: comp.check_finish_task(ComplaintTaskFactory(), actor=u),
        "complaints.check_claim_complaint": lambda u: comp.check_claim_complaint(
            ComplaintFactory(handler=None), actor=u
        ),
        "complaints.check_verify_staff_fault": lambda u: comp.check_verify_staff_fault(
            _analysed_about_staff(), actor=u
        ),
        "complaints.check_appeal_fault": lambda u: comp.check_appeal_fault(_fault_of(u), "当时系统故障", actor=u),
        "complaints.check_decide_fault": lambda u: comp.check_decide_fault(
            _fault_of(UserFactory()), actor=u, note="口头警告"
        ),
        "quality.check_sample": lambda u: quality.check_sample(actor=u, size=1),
        "quality.check_review": lambda u: quality.check_review(_inspection(UserFactory(), "manual"), {}, actor=u),
        "quality.check_appeal": lambda u: quality.check_appeal(_failed_check(u), "客户当时已经离线", actor=u),
        "quality.check_decide_appeal": lambda u: quality.check_decide_appeal(
            _failed_check(UserFactory(), appealed=True), actor=u, accept=False, note="维持"
        ),
        "assist.check_update_settings": lambda u: assist.check_update_settings(
            actor=u, block_severities=["error"], raise_priority=True
        ),
        "bot.check_set_channel_bot": lambda u: bot.check_set_channel_bot(
            ChannelFactory(kind="web_chat", key=f"web-{UserFactory().pk}"), actor=u, enabled=True
        ),
    }


@pytest.mark.parametrize("action_name", sorted(EXPECTED))
def test_role_matrix(action_name, roles):
    call = _calls()[action_name]
    for role, user in roles.items():
        # Given a member of `role`, when they attempt the action,
        if role in EXPECTED[action_name]:
            call(user)  # then it succeeds,
        else:
            with pytest.raises(PermissionDenied):  # or is refused in the action itself.
                call(user)


def test_every_action_of_the_platform_has_a_matrix_row(db):
    from tests import test_cases_permissions, test_kb_permissions, test_orders_roles, test_permission_matrix

    # Given every registered check_* action,
    registered = set(load_all())
    # when the rows of the four role matrices are put together,
    rows = {
        *test_permission_matrix.EXPECTED,
        *test_cases_permissions.EXPECTED,
        *test_orders_roles.EXPECTED,
        *test_kb_permissions.NAMES,
        # owner-checked (everyone may, on their own): tested in test_kb_pages / test_kb_permissions
        "knowledge.check_remove_attachment",
        "knowledge.check_delete_personal_reply",
        *EXPECTED,
    }
    # then each action has one (and no row names a missing action).
    assert registered == {name.split(":", 1)[0] for name in rows}
    assert set(EXPECTED) == set(_calls())
