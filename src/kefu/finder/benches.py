"""``kefu bench search-messages``: the one search box over many stored messages, and what the
index costs the chat's write path.

The corpus: ``--messages`` customer and agent messages made of two or three phrases of the
service dialogue (the shipped canned replies and customer questions, in Simplified and
Traditional characters) plus random order and model numbers, spread over conversations of 100
messages. They are inserted with ``executemany`` — the messages and their index rows, whose
tokens are exactly what :func:`kefu.finder.index.index_messages` writes (checked on a sample) —
in committed chunks, under a bench channel that is deleted at the end (``--keep 1`` keeps it
for the next run, which tops it up). The data has no relevance labels: it measures speed.

* ``search``: ``kefu.finder.query.search`` for messages (the newest 20 matches, snippets
  included) over a fixed list of queries; p50 / p99 per round, medians over rounds.
* baselines in the same run: an exact primary-key lookup of a message, and a plain
  ``LIKE '%word%'`` over the newest 10,000 messages (what a search without an index does).
* ``write``: ``post_many`` of batches of one message (an API reply) and of 50 (the sockets'
  group commit) with the index listener on and off, alternating, committed each time; the
  ratio of the medians is the index's share of the cost of storing a message.
"""

from __future__ import annotations

import os
import random
import statistics
import time
from typing import Any

from django.db import connection, transaction

from kefu.conversations import hooks
from kefu.conversations.actions import Post, post_many
from kefu.conversations.models import Channel, Conversation, Message
from kefu.core import clock
from kefu.core.bench import bench
from kefu.core.text import to_traditional
from kefu.finder.index import index_messages, tokens_of
from kefu.finder.models import MessageDoc
from kefu.finder.query import search

CHANNEL_KEY = "bench-search-messages"
PER_CONVERSATION = 100
CHUNK = 20_000
QUERIES = (
    "退货", "退貨", "运费", "運費", "快递单号", "快遞", "发票", "光模块", "退款到账", "什么时候发货",
    "保修", "换货", "地址", "包裹丢了", "兼容", "交换机", "七天无理由", "货到付款", "优惠", "安装",
    "差评", "投诉", "物流", "破损", "型号", "发错", "少发", "催一下", "SFP", "订单号",
    # rare, or words that seldom or never occur together (the slow case of a newest-first search)
    "SFP-1234", "缺货 破损", "退货 发票 安装", "光模块 差评", "保修 顺丰 专票",
)  # fmt: skip
PHRASES = (
    "您好，请问有什么可以帮您", "我想退货", "运费谁出", "快递单号是多少", "什么时候发货", "发票怎么开",
    "光模块兼容华为交换机吗", "退款多久到账", "包裹丢了怎么办", "可以换货吗", "地址写错了能改吗",
    "七天无理由退货怎么操作", "货到付款可以吗", "有没有优惠", "设备怎么安装", "物流一直不更新",
    "收到的货破损了", "发错型号了", "少发了一件", "麻烦催一下发货", "保修多久", "亲，已经为您登记",
    "请提供一下订单号", "已经帮您催促仓库", "给您带来不便非常抱歉", "我们会尽快处理", "感谢您的耐心等待",
    "这个型号有现货", "今天下午四点前下单当天发", "周末也可以发货", "顺丰还是中通", "可以开专票",
    "光口灯不亮", "交换机识别不了", "模块发热严重", "想批量采购", "价格能便宜点吗", "再不处理我就投诉",
    "给差评", "好的谢谢", "在吗", "收到了", "麻烦看一下", "请稍等", "已经退款了，请查收",
)  # fmt: skip


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def _summary(rounds: list[list[float]]) -> dict[str, Any]:
    p50s = [_percentile(r, 50) for r in rounds]
    p99s = [_percentile(r, 99) for r in rounds]
    return {
        "p50_ms": round(statistics.median(p50s), 3),
        "p99_ms": round(statistics.median(p99s), 3),
        "per_round_p99_ms": [round(v, 3) for v in p99s],
    }


def _phrases() -> list[tuple[str, str]]:
    """(text, tokens) of every phrase in both scripts."""
    texts = list(PHRASES) + [to_traditional(p) for p in PHRASES]
    return [(t, tokens_of(t)) for t in dict.fromkeys(texts)]


def _setup() -> tuple[Channel, Any]:
    from kefu.customers.models import Customer

    now = clock.now()
    channel, _ = Channel.objects.get_or_create(key=CHANNEL_KEY, defaults={"name": "bench", "kind": "web_chat"})
    customer = Customer.objects.filter(name="bench-search").first() or Customer.objects.create(
        name="bench-search", created_at=now, updated_at=now
    )
    return channel, customer


def _build(channel: Channel, customer: Any, wanted: int, rng: random.Random) -> dict[str, Any]:
    """Top the bench channel up to ``wanted`` messages; returns the seconds spent."""
    have = Message.objects.filter(conversation__channel=channel).count()
    phrases = _phrases()
    began = time.perf_counter()
    now = clock.now()
    stamp = connection.ops.adapt_datetimefield_value(now)
    made = 0
    while have + made < wanted:
        size = min(CHUNK, wanted - have - made)
        with transaction.atomic():
            conversations = Conversation.objects.bulk_create(
                [
                    Conversation(
                        channel=channel, customer=customer, status="closed", created_at=now, updated_at=now,
                        last_message_at=now,
                    )
                    for _ in range(-(-size // PER_CONVERSATION))
                ]
            )  # fmt: skip
            with connection.cursor() as cursor:
                cursor.execute("SELECT coalesce(max(id), 0) FROM conversations_message")
                first = int(cursor.fetchone()[0]) + 1
                messages, docs = [], []
                for n in range(size):
                    parts = rng.sample(phrases, rng.randint(2, 3))
                    extra = rng.random()
                    text = "，".join(p[0] for p in parts)
                    tokens = " ".join(p[1] for p in parts)
                    if extra < 0.15:
                        number = f"{rng.randrange(10**11, 10**12)}"
                        text, tokens = f"{text} 订单号{number}", f"{tokens} {tokens_of('订单号' + number)}"
                    elif extra < 0.25:
                        model = f"SFP-{rng.randrange(100, 9999)}"
                        text, tokens = f"{text} {model}", f"{tokens} {tokens_of(model)}"
                    pk = first + n
                    conv = conversations[n // PER_CONVERSATION].pk
                    messages.append((pk, conv, "customer" if n % 2 else "agent", text, False, "", stamp))
                    docs.append((pk, tokens))
                cursor.executemany(
                    "INSERT INTO conversations_message (id, conversation_id, author_kind, text, is_internal, "
                    "client_id, created_at) VALUES (%s, %s, %s, %s, %s, %s, %s)",
                    messages,
                )
                cursor.executemany("INSERT INTO finder_messagedoc (message_id, tokens) VALUES (%s, %s)", docs)
                if connection.vendor == "postgresql":
                    cursor.execute(
                        "SELECT setval(pg_get_serial_sequence('conversations_message', 'id'), "
                        "(SELECT max(id) FROM conversations_message))"
                    )
        made += size
    if connection.vendor == "postgresql" and made:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE conversations_message")
            cursor.execute("ANALYZE finder_messagedoc")
    return {"built": made, "build_seconds": round(time.perf_counter() - began, 1)}


def verify_tokens(channel: Channel, sample: int = 50) -> bool:
    """The bench's rows hold what ``index_messages`` would have written for the same text."""
    rows = list(
        MessageDoc.objects.filter(message_id__in=Message.objects.filter(conversation__channel=channel).values("pk"))
        .order_by("-message_id")
        .values_list("message_id", "tokens")[:sample]
    )
    texts = dict(Message.objects.filter(pk__in=[r[0] for r in rows]).values_list("pk", "text"))
    return bool(rows) and all(tokens_of(texts[pk]).split() == tokens.split() for pk, tokens in rows)


def _times(fn: Any, items: list[Any]) -> list[float]:
    found = []
    for item in items:
        began = time.perf_counter()
        fn(item)
        found.append((time.perf_counter() - began) * 1000)
    return found


def _like(word: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM (SELECT id, text FROM conversations_message ORDER BY id DESC LIMIT 10000) AS recent "
            "WHERE text LIKE %s ORDER BY id DESC LIMIT 20",
            [f"%{word}%"],
        )
        cursor.fetchall()


def _write_costs(channel: Channel, customer: Any, *, rounds: int, batches: int) -> dict[str, Any]:
    """Seconds per message stored by ``post_many`` with and without the index listener."""
    now = clock.now()
    conversations = Conversation.objects.bulk_create(
        [Conversation(channel=channel, customer=customer, created_at=now, updated_at=now) for _ in range(50)]
    )
    ids = [c.pk for c in conversations]
    rng = random.Random(7)  # noqa: S311 - bench data, not secrets
    phrases = [p[0] for p in _phrases()]
    out: dict[str, Any] = {}
    for size in (1, 50):
        timing: dict[bool, list[float]] = {True: [], False: []}
        shares: list[float] = []
        for r in range(rounds):
            for indexed in (True, False) if r % 2 == 0 else (False, True):
                hooks._CREATED.remove(index_messages)
                spent = [0.0]
                if indexed:
                    hooks.on_messages_created(timed := _timed(spent))
                try:
                    began = time.perf_counter()
                    for _ in range(batches):
                        posts = [
                            Post(conversation_id=ids[i % len(ids)], author_kind="customer", text=rng.choice(phrases))
                            for i in range(size)
                        ]
                        post_many(posts, now=clock.now())
                    elapsed = time.perf_counter() - began
                    timing[indexed].append(elapsed / (batches * size) * 1e6)
                    if indexed:
                        shares.append(spent[0] / elapsed)
                finally:
                    if indexed:
                        hooks._CREATED.remove(timed)
                    hooks.on_messages_created(index_messages)
        with_index, without = statistics.median(timing[True]), statistics.median(timing[False])
        out[f"batch_{size}"] = {
            "us_per_message_with_index": round(with_index, 1),
            "us_per_message_without_index": round(without, 1),
            "ratio": round(with_index / without, 3),
            # Measured inside the same calls: the indexer's own time over the whole post_many
            # time (less noisy than two separate runs on a busy machine).
            "index_share_of_write_median": round(statistics.median(shares), 4),
            "added_cost_from_share": round(1 / (1 - statistics.median(shares)) - 1, 4),
            "per_round_us_with": [round(v, 1) for v in timing[True]],
            "per_round_us_without": [round(v, 1) for v in timing[False]],
        }
    return out


def _timed(spent: list[float]) -> Any:
    def listener(messages: list[Any]) -> None:
        began = time.perf_counter()
        index_messages(messages)
        spent[0] += time.perf_counter() - began

    return listener


def _cleanup(channel: Channel) -> None:
    convs = Conversation.objects.filter(channel=channel)
    with transaction.atomic():
        MessageDoc.objects.filter(
            message_id__in=Message.objects.filter(conversation__in=convs).values("pk")
        )._raw_delete(connection.alias)
        Message.objects.filter(conversation__in=convs)._raw_delete(connection.alias)
        from kefu.core.models import Stream, StreamEvent

        keys = [f"conversation:{pk}" for pk in convs.values_list("pk", flat=True)]
        for start in range(0, len(keys), 500):
            StreamEvent.objects.filter(stream_key__in=keys[start : start + 500]).delete()
            Stream.objects.filter(key__in=keys[start : start + 500]).delete()
        convs._raw_delete(connection.alias)
        channel.delete()


@bench(
    "search-messages",
    "The one search box over many messages (p50/p99 against a primary-key lookup and a LIKE scan) "
    "and the index's share of the cost of storing a message",
    messages=(int, 1_000_000, "messages in the corpus"),
    rounds=(int, 5, "rounds of every measurement (medians are reported)"),
    write_batches=(int, 40, "post_many calls per write round"),
    keep=(int, 0, "1: keep the bench messages for the next run"),
    seed=(int, 1, "random seed of the corpus"),
)
def search_messages(*, messages: int, rounds: int, write_batches: int, keep: int, seed: int) -> dict[str, Any]:
    from kefu.accounts.models import User

    rng = random.Random(seed)  # noqa: S311 - bench data, not secrets
    channel, customer = _setup()
    built = _build(channel, customer, messages, rng)
    user = User.objects.filter(is_superuser=True, is_active=True).first() or User(is_superuser=True, is_active=True)
    queries = list(QUERIES)
    span = Message.objects.filter(conversation__channel=channel).values_list("pk", flat=True)
    low, high = span.order_by("pk").first() or 0, span.order_by("-pk").first() or 0
    ids = [rng.randint(low, high) for _ in queries]
    search_rounds, hit_counts, pk_rounds, like_rounds = [], [], [], []
    search(user, "退货", types=["message"], limit=20)  # warm the segmenter
    for _ in range(rounds):
        search_rounds.append(
            _times(lambda q: hit_counts.append(len(search(user, q, types=["message"], limit=20))), queries)
        )
        pk_rounds.append(_times(lambda pk: Message.objects.filter(pk=pk).first(), ids))
        like_rounds.append(_times(_like, [q for q in queries if len(q) <= 4]))
    result: dict[str, Any] = {
        "bench": "search-messages",
        "database": connection.vendor,
        "messages_indexed": MessageDoc.objects.count(),
        "bench_messages": messages,
        **built,
        "tokens_verified_against_index_messages": verify_tokens(channel),
        "queries": len(queries),
        "rounds": rounds,
        "search_messages_newest_20": _summary(search_rounds),
        "median_hits_per_query": statistics.median(hit_counts) if hit_counts else 0,
        "baseline_primary_key_lookup": _summary(pk_rounds),
        "baseline_like_over_newest_10k": _summary(like_rounds),
    }
    result["ratio_p99_search_to_like_10k"] = round(
        result["search_messages_newest_20"]["p99_ms"] / max(result["baseline_like_over_newest_10k"]["p99_ms"], 1e-6), 2
    )
    result["write"] = _write_costs(channel, customer, rounds=rounds, batches=write_batches)
    result["load_average"] = [round(v, 2) for v in os.getloadavg()]
    if not keep:
        _cleanup(channel)
    return result
