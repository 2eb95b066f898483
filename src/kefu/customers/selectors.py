from __future__ import annotations

from django.db.models import Q, QuerySet

from kefu.core.text import fold
from kefu.customers.models import Customer


def active_customers() -> QuerySet[Customer]:
    return Customer.objects.filter(merged_into__isnull=True)


def search_customers(query: str) -> QuerySet[Customer]:
    qs = active_customers()
    query = (query or "").strip()
    if not query:
        return qs
    digits = "".join(ch for ch in query if ch.isdigit())
    cond = (
        Q(search_text__contains=fold(query)) | Q(name__icontains=query) | Q(identities__value__icontains=query.lower())
    )
    if len(digits) >= 4:
        cond |= Q(identities__value__contains=digits)
    return qs.filter(cond).distinct()
