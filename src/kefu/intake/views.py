"""Small agent screens of the intake app: the original of a mail, the call log form, a call's
page (the customer's file pops up here when the phone rings) and the callback list."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kefu.core import params
from kefu.core.errors import KefuError
from kefu.core.pages import need
from kefu.customers.models import Customer
from kefu.intake.choices import TaskStatus
from kefu.intake.email.outbound import retry_now
from kefu.intake.email.quotes import split_reply
from kefu.intake.email.store import read_raw
from kefu.intake.forms import ContactForm, NoteForm
from kefu.intake.models import CallbackTask, CallRecord, MailAttachment, MailMessage
from kefu.intake.phone.actions import check_add_call_notes, check_finish_callback, check_log_contact
from kefu.tickets.models import Ticket

VIEW = "conversations.view_conversation"
ACT = "conversations.reply_conversation"


@login_required
def mail_original(request: HttpRequest, pk: int) -> HttpResponse:
    """Everything of one mail: headers, the full text with its quoted history, the sanitised
    HTML (in a sandboxed frame), all attachments, parsing notes and the raw source."""
    need(request, VIEW, hide=True)
    mail = get_object_or_404(MailMessage.objects.select_related("raw", "ticket", "conversation"), pk=pk)
    source = ""
    if mail.raw is not None and request.GET.get("source") == "1":
        data = read_raw(mail.raw)
        source = data[:200_000].decode("utf-8", "replace")
    return render(
        request,
        "intake/mail_original.html",
        {
            "mail": mail,
            "new_text": split_reply(mail.text).new if mail.direction == "in" else mail.text,
            "attachments": mail.attachments.all(),
            "source": source,
        },
    )


@login_required
def mail_raw(request: HttpRequest, pk: int) -> HttpResponseBase:
    need(request, VIEW, hide=True)
    mail = get_object_or_404(MailMessage.objects.select_related("raw"), pk=pk)
    if mail.raw is None:
        raise Http404
    response = FileResponse(
        mail.raw.file.open("rb"), content_type="message/rfc822", as_attachment=True, filename=f"mail-{mail.pk}.eml"
    )
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response


@login_required
def mail_attachment(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Mail attachments are served for download only, whatever they claim to be."""
    need(request, VIEW, hide=True)
    item = get_object_or_404(MailAttachment, pk=pk)
    response = FileResponse(
        item.file.open("rb"), content_type="application/octet-stream", as_attachment=True, filename=item.name
    )
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def mail_retry(request: HttpRequest, pk: int) -> HttpResponse:
    need(request, ACT, hide=True)
    mail = get_object_or_404(MailMessage, pk=pk, direction="out", delivery_status="failed")
    retry_now(mail)
    messages.success(request, _("The mail is queued again."))
    return redirect("web:ticket", pk=mail.ticket_id) if mail.ticket_id else redirect("web:intake-mail", pk=mail.pk)


@login_required
def call_new(request: HttpRequest) -> HttpResponse:
    need(request, ACT, hide=True)
    initial: dict[str, Any] = {}
    customer = None
    if params.is_digits(request.GET.get("customer", "")):
        customer = Customer.objects.filter(pk=request.GET["customer"]).first()
        initial["customer"] = customer.pk if customer else None
    if params.is_digits(request.GET.get("ticket", "")):
        initial["ticket"] = int(request.GET["ticket"])
    form = ContactForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        chosen = Customer.objects.filter(pk=data["customer"]).first() if data["customer"] else None
        ticket = Ticket.objects.filter(pk=data["ticket"]).first() if data["ticket"] else None
        if data["customer"] and chosen is None:
            form.add_error("customer", _("No such customer."))
        elif data["ticket"] and ticket is None:
            form.add_error("ticket", _("No such ticket."))
        else:
            try:
                call = check_log_contact(
                    actor=request.user,
                    medium=data["medium"],
                    direction=data["direction"],
                    number=data["number"],
                    customer=chosen,
                    started_at=data["started_at"],
                    minutes=data["minutes"],
                    outcome=data["outcome"],
                    notes=data["notes"],
                    ticket=ticket,
                )
            except KefuError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Contact logged."))
                return redirect("web:intake-call", pk=call.pk)
    return render(request, "intake/call_new.html", {"form": form, "customer": customer})


@login_required
def call_detail(request: HttpRequest, pk: int) -> HttpResponse:
    need(request, VIEW, hide=True)
    call = get_object_or_404(CallRecord.objects.select_related("customer", "agent", "ticket", "channel"), pk=pk)
    form = NoteForm(request.POST or None)
    if request.method == "POST":
        need(request, ACT, hide=True)
        if form.is_valid():
            try:
                check_add_call_notes(call, form.cleaned_data["text"], actor=request.user)
            except KefuError as exc:
                messages.error(request, exc.message)
            return redirect("web:intake-call", pk=call.pk)
    history = (
        CallRecord.objects.filter(customer=call.customer).exclude(pk=call.pk).order_by("-started_at")[:10]
        if call.customer_id
        else []
    )
    tickets = Ticket.objects.filter(customer=call.customer).order_by("-updated_at")[:5] if call.customer_id else []
    return render(
        request,
        "intake/call.html",
        {"call": call, "form": form, "history": history, "tickets": tickets},
    )


@login_required
def call_list(request: HttpRequest) -> HttpResponse:
    need(request, VIEW, hide=True)
    callbacks = CallbackTask.objects.filter(status=TaskStatus.OPEN).select_related("call", "call__customer", "team")
    calls = CallRecord.objects.select_related("customer", "agent").order_by("-started_at")[:50]
    return render(request, "intake/calls.html", {"callbacks": callbacks[:100], "calls": calls})


@login_required
@require_POST
def callback_done(request: HttpRequest, pk: int) -> HttpResponse:
    need(request, ACT, hide=True)
    task = get_object_or_404(CallbackTask.objects.select_related("call"), pk=pk)
    try:
        check_finish_callback(task, actor=request.user)
    except KefuError as exc:
        messages.error(request, exc.message)
    return redirect("web:intake-calls")
