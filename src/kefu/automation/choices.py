from django.db import models
from django.utils.translation import gettext_lazy as _


class TriggerEvent(models.TextChoices):
    TICKET_CREATED = "ticket.created", _("A ticket is created")
    TICKET_UPDATED = "ticket.updated", _("A ticket is changed (fields, assignment, tags)")
    TICKET_STATUS = "ticket.status", _("A ticket changes status")
    CUSTOMER_REPLIED = "ticket.customer_replied", _("The customer replies")


class ActionType(models.TextChoices):
    ASSIGN = "assign", _("Assign to an agent (user id)")
    SET_TEAM = "set_team", _("Set the team (team id)")
    SET_PRIORITY = "set_priority", _("Set the priority")
    SET_TYPE = "set_type", _("Set the type")
    ADD_TAG = "add_tag", _("Add a tag")
    CANNED_REPLY = "canned_reply", _("Send a canned reply (key)")
    NOTIFY = "notify", _("Notify (assignee, leader or a user id)")
    CREATE_TASK = "create_task", _("Create a follow-up task (subject)")
    TRANSITION = "transition", _("Fire a status event (e.g. close)")
    ADD_REMARK = "add_remark", _("Add an internal remark")


class ConditionOp(models.TextChoices):
    EQ = "eq", _("is")
    NE = "ne", _("is not")
    IN = "in", _("is one of")
    CONTAINS = "contains", _("contains")
    GTE = "gte", _("at least")
    LTE = "lte", _("at most")
    IS_SET = "is_set", _("is set")
    NOT_SET = "not_set", _("is not set")
