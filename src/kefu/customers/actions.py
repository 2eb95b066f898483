"""Writes to the customer file (CRM)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from kefu.core import clock
from kefu.core.actions import action
from kefu.core.errors import Conflict, ValidationFailed
from kefu.core.events import record_audit
from kefu.core.records import save_changes
from kefu.core.text import fold
from kefu.customers.choices import CustomerType, Gender, RemarkKind, VipTier
from kefu.customers.identities import normalise
from kefu.customers.models import Customer, CustomerAddress, CustomerIdentity, CustomerRemark, Tag

EDITABLE_FIELDS = ("name", "gender", "salutation", "company", "customer_type", "score", "usual_courier", "preferences")


def _clean_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationFailed(
            _("These fields cannot be changed here: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    clean = dict(fields)
    if "gender" in clean and clean["gender"] not in Gender.values:
        raise ValidationFailed(_("Unknown gender."))
    if "customer_type" in clean and clean["customer_type"] not in CustomerType.values:
        raise ValidationFailed(_("Unknown customer type."))
    if "score" in clean:
        try:
            clean["score"] = int(clean["score"])
        except (TypeError, ValueError):
            raise ValidationFailed(_("The score must be a number from 0 to 100.")) from None
        if not 0 <= clean["score"] <= 100:
            raise ValidationFailed(_("The score must be a number from 0 to 100."))
    if "preferences" in clean and not isinstance(clean["preferences"], dict):
        raise ValidationFailed(_("Preferences must be an object."))
    for key in ("name", "salutation", "company", "usual_courier"):
        if key in clean:
            clean[key] = str(clean[key]).strip()
            limit = getattr(Customer._meta.get_field(key), "max_length", None) or 0
            if len(clean[key]) > limit:
                raise ValidationFailed(
                    _("%(field)s is too long (at most %(n)d characters).") % {"field": key, "n": limit}
                )
    return clean


def refresh_search_text(customer: Customer) -> None:
    """Keep the folded search column in step: 陳靜 is found by 陈静 and vice versa."""
    text = fold(" ".join(filter(None, (customer.name, customer.salutation, customer.company))))
    Customer.objects.filter(pk=customer.pk).update(search_text=text)
    customer.search_text = text


def do_create_customer(
    *, now: datetime, actor: Any = None, identities: Iterable[tuple[str, str]] = (), **fields: Any
) -> Customer:
    clean = _clean_fields(fields)
    pairs = [(kind, normalise(kind, value)) for kind, value in identities]
    with transaction.atomic():
        for kind, value in pairs:
            if CustomerIdentity.objects.filter(kind=kind, value=value).exists():
                raise Conflict(_("Another customer already has %(kind)s %(value)s.") % {"kind": kind, "value": value})
        customer = Customer.objects.create(created_at=now, updated_at=now, **clean)
        for kind, value in pairs:
            try:
                with transaction.atomic():
                    CustomerIdentity.objects.create(customer=customer, kind=kind, value=value, created_at=now)
            except IntegrityError:  # another request took it between the check and the insert
                raise Conflict(
                    _("Another customer already has %(kind)s %(value)s.") % {"kind": kind, "value": value}
                ) from None
        record_audit(customer, "customer.created", actor=actor, now=now)
        refresh_search_text(customer)
    return customer


@action("customers.add_customer")
def check_create_customer(*, actor: Any, identities: Iterable[tuple[str, str]] = (), **fields: Any) -> Customer:
    return do_create_customer(now=clock.now(), actor=actor, identities=identities, **fields)


def do_find_or_create_by_identity(
    kind: str, value: str, *, now: datetime, defaults: Mapping[str, Any] | None = None
) -> tuple[Customer, bool]:
    """For intake (mail, chat, phone): the customer behind an identity, created if new."""
    value = normalise(kind, value)
    found = CustomerIdentity.objects.select_related("customer").filter(kind=kind, value=value).first()
    if found is None:
        try:
            return do_create_customer(now=now, identities=[(kind, value)], **dict(defaults or {})), True
        except Conflict:  # a concurrent intake created it first
            found = CustomerIdentity.objects.select_related("customer").get(kind=kind, value=value)
    # Merging moves identities to the surviving customer; follow the chain all the same, in
    # case an identity was added to a customer afterwards merged away.
    customer = found.customer
    while customer.merged_into_id is not None:
        customer = customer.merged_into  # type: ignore[assignment]
    return customer, False


@action("customers.change_customer")
def check_update_customer(customer: Customer, *, actor: Any, **fields: Any) -> Customer:
    return do_update_customer(customer, actor=actor, now=clock.now(), **fields)


def do_update_customer(customer: Customer, *, actor: Any, now: datetime, **fields: Any) -> Customer:
    clean = _clean_fields(fields)
    with transaction.atomic():
        save_changes(customer, clean, actor=actor, now=now, verb="customer.updated")
        refresh_search_text(customer)
    return customer


@action("customers.change_customer")
def check_add_identity(customer: Customer, kind: str, value: str, *, actor: Any) -> CustomerIdentity:
    return do_add_identity(customer, kind, value, actor=actor, now=clock.now())


def do_add_identity(customer: Customer, kind: str, value: str, *, actor: Any, now: datetime) -> CustomerIdentity:
    """Attach an identity; :class:`Conflict` when another customer already has it."""
    value = normalise(kind, value)
    try:
        with transaction.atomic():
            identity = CustomerIdentity.objects.create(customer=customer, kind=kind, value=value, created_at=now)
            record_audit(customer, "customer.identity_added", actor=actor, now=now, data={"kind": kind, "value": value})
    except IntegrityError:
        raise Conflict(_("Another customer already has %(kind)s %(value)s.") % {"kind": kind, "value": value}) from None
    return identity


@action("customers.change_customer")
def check_set_tags(customer: Customer, names: Iterable[str], *, actor: Any) -> Customer:
    clean = sorted({n.strip() for n in names if n and n.strip()})
    if any(len(n) > 40 for n in clean):
        raise ValidationFailed(_("A tag has at most 40 characters."))
    now = clock.now()
    with transaction.atomic():
        tags = [Tag.objects.get_or_create(name=n)[0] for n in clean]
        customer.tags.set(tags)
        Customer.objects.filter(pk=customer.pk).update(updated_at=now)
        record_audit(customer, "customer.tags", actor=actor, now=now, data={"tags": clean})
    return customer


@action("customers.change_customer")
def check_set_usual_products(customer: Customer, products: Iterable[Any], *, actor: Any) -> Customer:
    """R17 VIP memory: the products this customer usually buys."""
    chosen = list(products)
    now = clock.now()
    with transaction.atomic():
        customer.usual_products.set(chosen)
        Customer.objects.filter(pk=customer.pk).update(updated_at=now)
        record_audit(
            customer, "customer.usual_products", actor=actor, now=now, data={"products": [p.pk for p in chosen]}
        )
    return customer


@action("customers.change_customer")
def check_add_address(
    customer: Customer,
    *,
    actor: Any,
    name: str,
    phone: str,
    province: str,
    city: str,
    detail: str,
    district: str = "",
    is_default: bool = False,
) -> CustomerAddress:
    if not all(str(v).strip() for v in (name, phone, province, city, detail)):
        raise ValidationFailed(_("An address needs a recipient, phone, province, city and street address."))
    with transaction.atomic():
        if is_default:
            customer.addresses.update(is_default=False)
        address = CustomerAddress.objects.create(
            customer=customer,
            name=name.strip(),
            phone=phone.strip(),
            province=province.strip(),
            city=city.strip(),
            district=district.strip(),
            detail=detail.strip(),
            is_default=is_default or not customer.addresses.exists(),
        )
        record_audit(customer, "customer.address_added", actor=actor, now=clock.now(), data={"address": address.pk})
    return address


def do_add_remark(
    customer: Customer, text: str, *, author: Any, now: datetime, kind: str = RemarkKind.SPECIAL_REQUEST
) -> CustomerRemark:
    text = (text or "").strip()
    if not text:
        raise ValidationFailed(_("A remark cannot be empty."))
    if len(text) > 2000:
        raise ValidationFailed(_("A remark has at most 2,000 characters."))
    if kind not in RemarkKind.values:
        raise ValidationFailed(_("Unknown remark kind."))
    with transaction.atomic():
        remark = CustomerRemark.objects.create(
            customer=customer,
            kind=kind,
            text=text,
            author=author if getattr(author, "pk", None) else None,
            created_at=now,
        )
        Customer.objects.filter(pk=customer.pk).update(updated_at=now)
        record_audit(customer, "customer.remark", actor=author, now=now, data={"remark": remark.pk, "kind": kind})
    return remark


@action("customers.add_customerremark")
def check_add_remark(
    customer: Customer, text: str, *, actor: Any, kind: str = RemarkKind.SPECIAL_REQUEST
) -> CustomerRemark:
    return do_add_remark(customer, text, author=actor, now=clock.now(), kind=kind)


@action("customers.set_vip_tier")
def check_set_vip_tier(customer: Customer, tier: int, *, actor: Any) -> Customer:
    if int(tier) not in VipTier.values:
        raise ValidationFailed(_("Unknown VIP tier."))
    save_changes(customer, {"vip_tier": int(tier)}, actor=actor, now=clock.now(), verb="customer.vip_tier")
    return customer


@action("customers.assign_owner")
def check_assign_owner(customer: Customer, owner: Any, *, actor: Any) -> Customer:
    if owner is not None and not owner.is_active:
        raise ValidationFailed(_("The owner must be an active staff member."))
    save_changes(customer, {"owner": owner}, actor=actor, now=clock.now(), verb="customer.owner")
    return customer


def _repoint_related(source: Customer, target: Customer) -> dict[str, int]:
    """Move every row of any app that points at ``source`` (conversations, tickets,
    orders of later apps …) to ``target``; returns counts per model."""
    moved: dict[str, int] = {}
    for rel in Customer._meta.related_objects:
        if rel.many_to_many or rel.related_model is Customer:
            continue
        model: type[models.Model] = rel.related_model  # type: ignore[assignment]
        if model is CustomerIdentity:
            continue  # handled with its uniqueness in mind
        count = model._default_manager.filter(**{rel.field.name: source}).update(**{rel.field.name: target})
        if count:
            moved[model._meta.label_lower] = count
    return moved


def do_merge_customers(source: Customer, target: Customer, *, actor: Any, now: datetime) -> Customer:
    """Merge the duplicate ``source`` into ``target`` keeping all history."""
    if source.pk == target.pk:
        raise ValidationFailed(_("A customer cannot be merged into itself."))
    if source.merged_into_id or target.merged_into_id:
        raise ValidationFailed(_("That customer was already merged."))
    with transaction.atomic():
        source = Customer.objects.select_for_update().get(pk=source.pk)
        target = Customer.objects.select_for_update().get(pk=target.pk)
        CustomerIdentity.objects.filter(customer=source).update(customer=target)
        moved = _repoint_related(source, target)
        target.tags.add(*source.tags.all())
        target.usual_products.add(*source.usual_products.all())
        for key in ("name", "gender", "salutation", "company", "usual_courier"):
            if not getattr(target, key) and getattr(source, key):
                setattr(target, key, getattr(source, key))
        target.preferences = {**source.preferences, **target.preferences}
        target.vip_tier = max(target.vip_tier, source.vip_tier)
        target.score = max(target.score, source.score)
        if source.customer_type == CustomerType.PERMANENT:
            target.customer_type = CustomerType.PERMANENT
        target.owner = target.owner or source.owner
        target.updated_at = now
        target.save()
        source.merged_into = target
        source.updated_at = now
        source.save(update_fields=["merged_into", "updated_at"])
        record_audit(target, "customer.merged", actor=actor, now=now, data={"from": source.pk, "moved": moved})
        refresh_search_text(target)
        record_audit(source, "customer.merged_away", actor=actor, now=now, data={"into": target.pk})
    return target


@action("customers.merge_customers")
def check_merge_customers(source: Customer, target: Customer, *, actor: Any) -> Customer:
    return do_merge_customers(source, target, actor=actor, now=clock.now())
