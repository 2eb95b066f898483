"""The customer file's workspace pages: the list, one customer, and one form per action on it.
Thin views: parse and authorise, call one action, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kefu.accounts.models import User
from kefu.core import params
from kefu.core.actions import has_perm
from kefu.core.errors import ValidationFailed
from kefu.core.events import audit_trail
from kefu.core.pages import attempt, back
from kefu.customers import actions as customer_actions
from kefu.customers.choices import CustomerType, Gender, IdentityKind, VipTier
from kefu.customers.models import Customer
from kefu.customers.selectors import search_customers
from kefu.shops.models import Product


@login_required
def customer_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    page = Paginator(search_customers(query).prefetch_related("identities", "tags"), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "customers/customers.html", {"page": page, "q": query})


@login_required
def customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_object_or_404(Customer.objects.select_related("owner", "merged_into"), pk=pk)
    if customer.merged_into_id:
        messages.info(request, _("This customer was merged; showing the customer it was merged into."))
        return redirect("web:customer", pk=customer.merged_into_id)
    return render(
        request,
        "customers/customer.html",
        {
            "customer": customer,
            "identities": customer.identities.all(),
            "addresses": customer.addresses.all(),
            "remarks": customer.remarks.select_related("author")[:50],
            "conversations": customer.conversations.select_related("channel", "assignee").order_by("-last_message_at")[
                :30
            ],
            "tickets": customer.tickets.select_related("assignee").order_by("-updated_at")[:30],
            "usual_products": customer.usual_products.all(),
            "trail": audit_trail(customer).order_by("-created_at")[:20],
            "choices": {
                "gender": Gender.choices,
                "customer_type": CustomerType.choices,
                "vip_tier": VipTier.choices,
                "identity_kind": IdentityKind.choices,
            },
            "salespeople": User.objects.filter(is_active=True, groups__name="sales").order_by("username"),
            "products": Product.objects.select_related("shop").order_by("shop__code", "sku"),
            "can": {
                "edit": has_perm(request.user, "customers.change_customer"),
                "vip": has_perm(request.user, "customers.set_vip_tier"),
                "owner": has_perm(request.user, "customers.assign_owner"),
                "merge": has_perm(request.user, "customers.merge_customers"),
            },
        },
    )


def _customer_op(request: HttpRequest, customer: Customer, op: str) -> Any:
    """One customer action per form of the customer page."""
    post, actor = request.POST, request.user
    if op == "profile":
        fields = {
            k: post.get(k, "") for k in ("name", "gender", "salutation", "company", "customer_type", "usual_courier")
        }
        fields["score"] = post.get("score", "0") or "0"
        return customer_actions.check_update_customer(customer, actor=actor, **fields)
    if op == "tags":
        names = post.get("tags", "").replace("，", ",").split(",")
        return customer_actions.check_set_tags(customer, names, actor=actor)
    if op == "products":
        chosen = Product.objects.filter(pk__in=[p for p in post.getlist("products") if params.is_digits(p)])
        return customer_actions.check_set_usual_products(customer, chosen, actor=actor)
    if op == "vip":
        tier = post.get("vip_tier", "")
        if not params.is_digits(tier, max_digits=3):
            raise ValidationFailed(_("Unknown VIP tier."))
        return customer_actions.check_set_vip_tier(customer, int(tier), actor=actor)
    if op == "owner":
        owner_id = post.get("owner", "")
        owner = User.objects.filter(pk=owner_id).first() if params.is_digits(owner_id) else None
        return customer_actions.check_assign_owner(customer, owner, actor=actor)
    if op == "identity":
        return customer_actions.check_add_identity(customer, post.get("kind", ""), post.get("value", ""), actor=actor)
    if op == "address":
        return customer_actions.check_add_address(
            customer,
            actor=actor,
            is_default=bool(post.get("is_default")),
            **{k: post.get(k, "") for k in ("name", "phone", "province", "city", "district", "detail")},
        )
    if op == "merge":
        source_id = post.get("source", "").lstrip("#")
        source = Customer.objects.filter(pk=source_id).first() if params.is_digits(source_id) else None
        if source is None:
            raise ValidationFailed(_("No customer with that number."))
        return customer_actions.check_merge_customers(source, customer, actor=actor)
    raise ValidationFailed(_("Unknown action “%(event)s”.") % {"event": op})


@login_required
@require_POST
def customer_update(request: HttpRequest, pk: int, op: str) -> HttpResponse:
    customer = get_object_or_404(Customer, pk=pk)
    attempt(request, lambda: _customer_op(request, customer, op), _("Saved."))
    return redirect("web:customer", pk=pk)


@login_required
@require_POST
def customer_remark(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_object_or_404(Customer, pk=pk)
    attempt(
        request,
        lambda: customer_actions.check_add_remark(customer, request.POST.get("text", ""), actor=request.user),
        _("Remark saved."),
    )
    return back(request, reverse("web:customer", args=[pk]))
