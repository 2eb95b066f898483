"""``kefu bench platform``: signed WeChat callbacks (a share of them the platform's retries) through
the whole callback URL (signature, XML, receipt, the stored message), against the generic signed
bridge (``POST /api/v1/platform/messages``, HMAC + Idempotency-Key) with the same messages in the
same run.  It checks that nothing is lost or stored twice.  Everything it writes is rolled back."""

from __future__ import annotations

import json
import random
import time
import uuid
from typing import Any

from django.conf import settings
from django.db import transaction
from django.test import Client, TestCase

from kefu.conversations.choices import ChannelKind
from kefu.conversations.models import Channel, Message
from kefu.core.bench import bench
from kefu.core.tasks import HUEY
from kefu.intake.webhooks import sign
from kefu.intake.wechat_mp.models import WechatAccount

TOKEN = "benchtoken"  # noqa: S105 - the bench account's callback token, rolled back


class _Rollback(Exception):
    pass


def _signature(*parts: str) -> str:
    import hashlib

    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()  # noqa: S324 - the protocol's SHA-1


def _plan(count: int, duplicates: float, users: int, seed: int) -> list[tuple[int, int]]:
    """(message number, user) in delivery order; a duplicate repeats an earlier message."""
    rng = random.Random(seed)  # noqa: S311 - a reproducible workload, not a secret
    plan: list[tuple[int, int]] = []
    unique = 0
    while len(plan) < count:
        if plan and rng.random() < duplicates:
            plan.append(plan[rng.randrange(max(0, len(plan) - 20), len(plan))])  # a retry, soon after
        else:
            unique += 1
            plan.append((unique, rng.randrange(users)))
    return plan


def _post_wechat(client: Client, key: str, run: str, plan: list[tuple[int, int]]) -> None:
    for number, user in plan:
        ts = str(int(time.time()))
        nonce = str(number)
        body = (
            f"<xml><ToUserName><![CDATA[gh_bench]]></ToUserName><FromUserName><![CDATA[o{run}{user}]]></FromUserName>"
            f"<CreateTime>{ts}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content><![CDATA[第 {number} 条消息]]></Content><MsgId>{number}</MsgId></xml>"
        )
        url = f"/hooks/wechat/{key}/?timestamp={ts}&nonce={nonce}&signature={_signature(TOKEN, ts, nonce)}"
        response = client.post(url, data=body.encode(), content_type="text/xml")
        if response.status_code != 200:
            raise RuntimeError(f"wechat callback answered {response.status_code}: {response.content[:200]!r}")


def _post_bridge(client: Client, channel: Channel, run: str, plan: list[tuple[int, int]]) -> None:
    for number, user in plan:
        body = json.dumps({"user": {"id": f"u{run}{user}"}, "text": f"第 {number} 条消息", "message_id": str(number)})
        raw = body.encode()
        response = client.post(
            "/api/v1/platform/messages",
            data=raw,
            content_type="application/json",
            headers={
                "X-Kefu-Channel": channel.key,
                "X-Kefu-Signature": sign(channel.secret, raw),
                "Idempotency-Key": str(number),
            },
        )
        if response.status_code != 200:
            raise RuntimeError(f"bridge answered {response.status_code}: {response.content[:200]!r}")


@bench(
    "platform",
    "signed WeChat Official Account callbacks (with the platform's retries) stored per second, "
    "against the generic signed bridge",
    callbacks=(int, 10000, "callbacks per side and round"),
    duplicates=(float, 0.2, "share of callbacks that repeat an earlier one"),
    users=(int, 200, "distinct followers"),
    repeat=(int, 3, "rounds; medians are reported"),
)
def platform_bench(*, callbacks: int, duplicates: float, users: int, repeat: int) -> dict[str, Any]:
    import statistics

    plan = _plan(callbacks, duplicates, users, seed=19)
    unique = len({n for n, _u in plan})
    hosts = [h for h in settings.ALLOWED_HOSTS if h and not h.startswith((".", "*"))]
    client = Client(HTTP_HOST=hosts[0] if hosts else "localhost")
    rates: dict[str, list[float]] = {"wechat": [], "bridge": []}
    problems: list[str] = []
    immediate = HUEY.immediate
    HUEY.immediate = True  # the stored message is part of what is measured
    try:
        for round_no in range(repeat):
            run = uuid.uuid4().hex[:6]
            try:
                with transaction.atomic():
                    wx_channel = Channel.objects.create(name="bench", kind=ChannelKind.SOCIAL, key=f"bench-wx-{run}")
                    WechatAccount.objects.create(
                        channel=wx_channel,
                        app_id=f"wxbench{run}",
                        token=TOKEN,
                        app_secret="x",  # noqa: S106
                    )
                    bridge = Channel.objects.create(
                        name="bench", kind=ChannelKind.PLATFORM, key=f"bench-pf-{run}", secret=uuid.uuid4().hex
                    )
                    sides = [("wechat", wx_channel), ("bridge", bridge)]
                    if round_no % 2:
                        sides.reverse()  # neither side always runs on a warmer database
                    for name, channel in sides:
                        start = time.perf_counter()
                        with TestCase.captureOnCommitCallbacks(execute=True):
                            if name == "wechat":
                                _post_wechat(client, channel.key, run, plan)
                            else:
                                _post_bridge(client, channel, run, plan)
                        elapsed = time.perf_counter() - start
                        stored = Message.objects.filter(conversation__channel=channel).count()
                        if stored != unique:
                            problems.append(f"round {round_no} {name}: {stored} stored for {unique} messages")
                        rates[name].append(unique / elapsed)
                    raise _Rollback
            except _Rollback:
                pass
    finally:
        HUEY.immediate = immediate
    wechat = statistics.median(rates["wechat"])
    bridge_rate = statistics.median(rates["bridge"])
    return {
        "callbacks_per_round": callbacks,
        "unique_messages": unique,
        "duplicates": callbacks - unique,
        "repeat": repeat,
        "wechat_messages_stored_per_second": round(wechat, 1),
        "bridge_messages_stored_per_second": round(bridge_rate, 1),
        "wechat_vs_bridge": round(wechat / bridge_rate, 3),
        "lost_or_doubled": problems,
        "exactly_once": not problems,
        "rates": {k: [round(v, 1) for v in vs] for k, vs in rates.items()},
    }
