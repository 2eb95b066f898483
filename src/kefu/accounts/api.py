from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

router = Router(tags=["accounts"])


class MeOut(Schema):
    id: int
    username: str
    name: str
    roles: list[str]
    presence: str
    max_concurrent_chats: int


@router.get("/me", response=MeOut)
def me(request: HttpRequest) -> dict[str, object]:
    user = request.user
    return {
        "id": user.pk,
        "username": user.username,
        "name": str(user),
        "roles": user.roles,
        "presence": user.presence,
        "max_concurrent_chats": user.max_concurrent_chats,
    }
