from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from kefu.core.actions import require
from kefu.shops.models import Shop

router = Router(tags=["shops"])


class ShopOut(Schema):
    id: int
    code: str
    name: str


@router.get("", response=list[ShopOut])
def list_shops(request: HttpRequest) -> list[Shop]:
    require(request.user, "shops.view_shop")
    return list(Shop.objects.all())
