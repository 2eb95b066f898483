"""Roles (R42) as permission groups.  This table is the single source of who may do what;
actions check these permissions (``kefu.core.actions.require``), the UI only hides."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, Permission

from kefu.accounts.choices import Role

R, A, F, S, T, SUP, ADM = (
    Role.RECEPTION,
    Role.AFTERSALES,
    Role.FINANCE,
    Role.SALES,
    Role.TECHNICIAN,
    Role.SUPERVISOR,
    Role.ADMIN,
)
ALL = (R, A, F, S, T, SUP, ADM)
FRONTLINE = (R, A, S, SUP, ADM)

# permission ("app_label.codename") -> roles holding it
PERMISSIONS: dict[str, tuple[Role, ...]] = {
    # accounts
    "accounts.set_presence": ALL,
    "accounts.manage_agents": (SUP, ADM),
    "accounts.manage_teams": (SUP, ADM),
    "accounts.manage_tokens": (ADM,),
    "accounts.view_user": ALL,
    "accounts.view_team": ALL,
    # shops and products
    "shops.view_shop": ALL,
    "shops.view_product": ALL,
    "shops.add_product": (ADM,),
    "shops.change_product": (ADM, SUP),
    # customers (CRM)
    "customers.view_customer": ALL,
    "customers.add_customer": FRONTLINE,
    "customers.change_customer": FRONTLINE,
    "customers.add_customerremark": ALL,
    "customers.merge_customers": (SUP, ADM),
    "customers.set_vip_tier": (SUP, ADM),
    "customers.assign_owner": (SUP, ADM),
    # conversations
    "conversations.view_conversation": ALL,
    "conversations.add_conversation": FRONTLINE,
    "conversations.reply_conversation": (R, A, S, T, SUP, ADM),
    "conversations.add_note": ALL,
    "conversations.assign_conversation": FRONTLINE,
    "conversations.change_conversation_status": (R, A, S, T, SUP, ADM),
    "conversations.classify_conversation": (R, A, S, T, SUP, ADM),
    # tickets (work orders)
    "tickets.view_ticket": ALL,
    "tickets.add_ticket": (R, A, S, T, SUP, ADM),
    "tickets.change_ticket": (R, A, S, T, SUP, ADM),
    "tickets.assign_ticket": (R, A, SUP, ADM),
    "tickets.change_ticket_status": (R, A, S, T, SUP, ADM),
    "tickets.cancel_ticket": (SUP, ADM),
    "tickets.add_ticketremark": ALL,
    "tickets.merge_tickets": (A, SUP, ADM),
    # service levels (SLA): everyone sees policies and countdowns; supervisors simulate
    "sla.view_slapolicy": ALL,
    "sla.preview_sla": (SUP, ADM),
    # knowledge: canned replies
    "knowledge.view_cannedreply": ALL,
    "knowledge.add_cannedreply": (SUP, ADM),
    "knowledge.change_cannedreply": (SUP, ADM),
    "knowledge.delete_cannedreply": (SUP, ADM),
    # aftersales: orders, shipments, logistics exceptions, COD, shipping rates, service orders
    "aftersales.view_order": ALL,
    "aftersales.add_order": FRONTLINE,
    "aftersales.change_order": (R, A, SUP, ADM),
    "aftersales.import_orders": (A, SUP, ADM),
    "aftersales.link_order": (R, A, S, T, SUP, ADM),
    "aftersales.ship_order": (R, A, SUP, ADM),
    "aftersales.notify_tracking": (R, A, SUP, ADM),
    "aftersales.confirm_cod": (R, A, S, SUP, ADM),
    "aftersales.view_logisticsexception": ALL,
    "aftersales.handle_logistics": (A, SUP, ADM),
    "aftersales.view_shippingrate": ALL,
    "aftersales.change_shippingrate": (ADM,),
    "aftersales.view_serviceorder": ALL,
    "aftersales.add_serviceorder": (R, A, SUP, ADM),
    "aftersales.change_serviceorder": (A, SUP, ADM),
    "aftersales.work_service_order": (T, SUP, ADM),
    "aftersales.view_warrantyreminder": ALL,
    "aftersales.change_warrantyreminder": (A, T, SUP, ADM),
    # knowledge (kb): articles, search lexicon, personal canned replies
    "knowledge.view_article": ALL,
    "knowledge.add_article": (SUP, ADM),
    "knowledge.change_article": (SUP, ADM),
    "knowledge.delete_article": (SUP, ADM),
    "knowledge.publish_article": (SUP, ADM),
    "knowledge.add_own_cannedreply": ALL,
    "knowledge.view_searchword": (SUP, ADM),
    "knowledge.add_searchword": (ADM,),
    "knowledge.delete_searchword": (ADM,),
    "knowledge.add_synonymgroup": (ADM,),
    "knowledge.delete_synonymgroup": (ADM,),
    # complaints: anyone who receives one registers it; after-sales handles; the leader approves (R27–R30)
    "complaints.view_complaint": ALL,
    "complaints.add_complaint": ALL,
    "complaints.handle_complaint": (A, SUP, ADM),
    "complaints.approve_complaint": (SUP, ADM),
    "complaints.view_staff_records": (SUP, ADM),
    "complaints.decide_staff_records": (ADM,),
    # quality: everyone sees their own inspections and appeals; supervisors review and sample
    "quality.view_inspection": ALL,
    "quality.appeal_finding": ALL,
    "quality.review_inspection": (SUP, ADM),
    # cases: after-sales cases (售后单), refund payment (only finance pays, R22), compensation (R26)
    "cases.view_case": ALL,
    "cases.add_case": (R, A, SUP, ADM),
    "cases.change_case": (R, A, SUP, ADM),
    "cases.decide_case": (A, SUP, ADM),
    "cases.record_return": (R, A, SUP, ADM),
    "cases.handle_case": (A, SUP, ADM),
    "cases.request_payment": (R, A, SUP, ADM),
    "cases.pay_refund": (F,),
    "cases.view_compensation": ALL,
    "cases.add_compensation": FRONTLINE,
    "cases.approve_compensation": (SUP, ADM),
    "cases.view_cost_report": (F, SUP, ADM),
    # assist: reply lint, emotion analysis, bot answers for everyone; supervisors keep the phrase list
    "assist.use_assist": ALL,
    "assist.view_forbiddenphrase": ALL,
    "assist.add_forbiddenphrase": (SUP, ADM),
    "assist.change_forbiddenphrase": (SUP, ADM),
    "assist.delete_forbiddenphrase": (SUP, ADM),
    "assist.change_assistsettings": (ADM,),
    # outgoing webhooks: administrators configure endpoints, read the delivery log and replay
    "webhooks.view_endpoint": (ADM,),
    "webhooks.add_endpoint": (ADM,),
    "webhooks.change_endpoint": (ADM,),
    "webhooks.delete_endpoint": (ADM,),
    "webhooks.view_delivery": (ADM,),
    "webhooks.replay_delivery": (ADM,),
}

# Roles whose members may open the Django admin (configuration screens).
STAFF_ROLES = {SUP, ADM}


def perms_of(role: str) -> set[str]:
    return {perm for perm, roles in PERMISSIONS.items() if role in roles}


def sync_roles() -> None:
    """Create one group per role holding exactly the permissions of the table."""
    for role in Role:
        group, _ = Group.objects.get_or_create(name=role.value)
        wanted = []
        for perm in sorted(perms_of(role.value)):
            app_label, codename = perm.split(".", 1)
            found = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if found is None:
                raise LookupError(f"permission {perm} of role {role.value} does not exist")
            wanted.append(found)
        if role == ADM:
            wanted = list(Permission.objects.all())
        group.permissions.set(wanted)


def sync_roles_after_migrate(sender: Any, app_config: Any = None, **kwargs: Any) -> None:
    # Run once, after the last app with models has migrated: every permission exists then.
    from django.apps import apps

    last = [c for c in apps.get_app_configs() if c.models_module is not None][-1]
    if app_config is not None and app_config.label == last.label:
        sync_roles()
