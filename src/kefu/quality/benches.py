"""``kefu bench quality``: inspect STORED, ANALYSED conversations with the shipped scorecard.

The bench stores ``--count`` conversations of 10–30 messages in the configured database (SQLite or
PostgreSQL), each customer message with its analysis row (``MessageEmotion``) as the analysis process
stores it in production, then inspects them the way the sweeper does: in batches loaded with their
messages and analyses (:func:`kefu.quality.engine.inspectable`), all seven rules, one lint cache per
round.  Each round measures, on the same conversations:

* ``baseline_read`` — loading the batches and building the transcripts, no rule;
* ``inspect`` — the same plus every rule (what the sweeper computes);
* ``inspect_and_store`` (one round) — the sweeper's whole path, writing inspections and checks.

Medians over ``--rounds``; the ratio of the two rates; p50/p99 of the time the rules take per
conversation; each rule's share.  Everything runs in one transaction rolled back at the end, so the
database is left as it was.  Agent lines with an order number or product are unique, the fixed ones
repeat the way canned replies do; the lint cache's hits are reported.  The analysis rows are computed
once per distinct customer line and product (the emotion does not depend on an order number) on the
same path as production (the screen, then the models for what it is unsure of).
"""

from __future__ import annotations

import os
import random
import statistics
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import connection, transaction

from kefu.core.bench import bench
from kefu.quality import engine
from kefu.quality.rules import AGENT, BOT, CUSTOMER, Msg, Run, Transcript

PRODUCTS = ["千兆光模块", "万兆光模块", "POE交换机", "路由器", "光纤跳线", "收发器", "無線AP", "網線"]
CUSTOMER_LINES = [
    "你好，{p}有货吗？",
    "请问{p}什么时候发货，订单号{n}",
    "{p}和华为交换机兼容吗",
    "你们发错货了！我买的是{p}，太耽误事了！",
    "等了一个星期还没收到{p}，到底发没发？",
    "好的",
    "好的谢谢",
    "運費多少？寄到廣東{n}",
    "我要退货，{p}用不了",
    "都过了5天了还没到！你们就是骗人的！",
    "能开发票吗，抬头{n}",
    "嗯嗯",
    "再见",
]
AGENT_LINES = [
    "您好，欢迎光临，很高兴为您服务！",
    "亲，{p}有现货的哦，今天下单今天发～",
    "非常抱歉给您带来不便！我马上为您核实订单{n}。",
    "不知道您方便提供一下订单号吗？",
    "不知道，快递那边没更新。",
    "您好，{p}支持华为交换机，可以放心使用。",
    "运费按重量和地区计算，江浙沪首重8元。",
    "這個問題和我們沒關係。",
    "好的，感谢您的支持！",
    "保证明天一定到！",
    "已为您登记，单号{n}稍后短信发您。",
    "祝您生活愉快，再见！",
]
CHANNELS = ["web_chat"] * 6 + ["platform"] * 2 + ["email", "phone"]
BATCH = 200  # conversations per batch, as the sweeper takes them


def generate(count: int, seed: int = 11) -> list[tuple[str, list[tuple[Msg, int, int]]]]:
    """``count`` conversations of 10–30 messages: (channel kind, [(message, product index, line index)]).
    Lines with an order number are unique texts; the others repeat like canned replies."""
    rng = random.Random(seed)  # noqa: S311 - reproducible benchmark inputs
    start = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
    out = []
    for n in range(count):
        messages: list[tuple[Msg, int, int]] = []
        at = start
        author = CUSTOMER
        for _i in range(rng.randint(10, 30)):
            at += timedelta(seconds=rng.randint(2, 40))
            pool = CUSTOMER_LINES if author == CUSTOMER else AGENT_LINES
            line, product = rng.randrange(len(pool)), rng.randrange(len(PRODUCTS))
            text = pool[line].format(p=PRODUCTS[product], n=f"{n:05d}{rng.randint(0, 9999):04d}")
            messages.append((Msg(author if rng.random() > 0.03 else BOT, text, at), product, line))
            if rng.random() < 0.6:
                author = AGENT if author == CUSTOMER else CUSTOMER
        out.append((rng.choice(CHANNELS), messages))
    return out


def _analyses() -> dict[tuple[int, int], Any]:
    """The analysis of each customer line per product, as the analysis process makes it: the cheap
    screen, then the models in one batch for what the screen is unsure of."""
    from kefu.assist.emotion import analyze_many, screen

    keys = [(line, product) for line in range(len(CUSTOMER_LINES)) for product in range(len(PRODUCTS))]
    texts = [CUSTOMER_LINES[line].format(p=PRODUCTS[product], n="000120042") for line, product in keys]
    found: dict[tuple[int, int], Any] = {}
    unsure = []
    for key, text in zip(keys, texts, strict=True):
        sure = screen(text)
        if sure is None:
            unsure.append((key, text))
        else:
            found[key] = (sure, "screen")
    for (key, _text), a in zip(unsure, analyze_many([t for _k, t in unsure]), strict=True):
        found[key] = (a, "model")
    return found


def _store(count: int, tag: str) -> tuple[list[int], int, dict[str, int]]:
    """Store the conversations, their messages and each customer message's analysis row."""
    from kefu.accounts.models import User
    from kefu.assist.models import MessageEmotion
    from kefu.conversations.models import Channel, Conversation, Message
    from kefu.customers.models import Customer

    now = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
    agent = User.objects.create(username=f"bench-q-{tag}", display_name="bench")
    customer = Customer.objects.create(name=f"bench-q-{tag}", created_at=now, updated_at=now)
    channels = {
        kind: Channel.objects.create(name=f"bench {kind}", kind=kind, key=f"bench-q-{tag}-{kind}")
        for kind in set(CHANNELS)
    }
    analyses = _analyses()
    paths = {"screen": 0, "model": 0}
    generated = generate(count)
    ids: list[int] = []
    for start in range(0, count, 500):
        part = generated[start : start + 500]
        conversations = Conversation.objects.bulk_create(
            [
                Conversation(
                    channel=channels[kind],
                    customer=customer,
                    assignee=agent,
                    status="closed",
                    created_at=now,
                    updated_at=now,
                    closed_at=now,
                )
                for kind, _messages in part
            ]
        )
        rows, keys = [], []
        for conversation, (_kind, messages) in zip(conversations, part, strict=True):
            for m, product, line in messages:
                rows.append(
                    Message(
                        conversation=conversation,
                        author_kind=m.author,
                        author=agent if m.author == AGENT else None,
                        text=m.text,
                        created_at=m.at or now,
                    )
                )
                keys.append((line, product))
        stored = Message.objects.bulk_create(rows, batch_size=2000)
        emotions = []
        for message, key in zip(stored, keys, strict=True):
            if message.author_kind != CUSTOMER:
                continue
            a, path = analyses[key]
            paths[path] += 1
            emotions.append(
                MessageEmotion(
                    message=message,
                    conversation_id=message.conversation_id,
                    emotion=a.emotion,
                    score=a.score,
                    urgent=a.urgent,
                    cues=list(a.cues),
                    intent=(a.intent or "")[:20],
                    created_at=now,
                )
            )
        MessageEmotion.objects.bulk_create(emotions, batch_size=2000)
        ids += [c.pk for c in conversations]
    return ids, sum(len(m) for _k, m in generated), paths


def _batches(ids: list[int]) -> list[list[int]]:
    return [ids[i : i + BATCH] for i in range(0, len(ids), BATCH)]


def _read(ids: list[int], run: Run) -> list[tuple[float, list[Transcript]]]:
    """Each batch's transcripts with the seconds its reading took."""
    from kefu.conversations.models import Conversation

    out: list[tuple[float, list[Transcript]]] = []
    for batch in _batches(ids):
        started = time.perf_counter()
        found = engine.inspectable(Conversation.objects.filter(pk__in=batch).order_by("id"))
        out.append((time.perf_counter() - started, [engine.transcript_of(c, run) for c in found]))
    return out


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


class _Rollback(Exception):
    pass


@bench(
    "quality",
    "Quality inspection of stored, analysed conversations (10–30 messages) with the shipped rules: "
    "conversations/s (median of rounds) against reading them without rules, p50/p99, time per rule.",
    count=(int, 2000, "conversations to store and inspect"),
    rounds=(int, 5, "rounds (medians are reported)"),
    skip=(str, "", "rules to leave out, comma-separated"),
    lint_cache=(int, 1, "1: lint each distinct agent text once per round (as the sweeper); 0: lint every message"),
)
def quality_bench(count: int = 2000, rounds: int = 5, skip: str = "", lint_cache: int = 1) -> dict[str, Any]:
    left_out = {rule.strip() for rule in skip.split(",") if rule.strip()}
    specs = [spec for spec in engine.shipped_specs() if spec.id not in left_out]
    tag = uuid.uuid4().hex[:8]
    load_before = [round(x, 2) for x in os.getloadavg()]
    result: dict[str, Any] = {}
    try:
        with transaction.atomic():
            built = time.perf_counter()
            ids, messages, paths = _store(count, tag)
            build_seconds = time.perf_counter() - built
            baseline_rates: list[float] = []
            inspect_rates: list[float] = []
            per_conversation: list[float] = []
            with_read: list[float] = []  # the rules plus the conversation's share of its batch's read
            timings: dict[str, float] = {}
            score_total = pending = 0
            run = Run()
            for t in _read(ids[:BATCH], Run())[0][1]:  # warm up: the queries' first compile, the lint's regexes
                engine.run(t, specs)
            for n in range(rounds):
                # The baseline: read the batches and build the transcripts, no rule.
                started = time.perf_counter()
                _read(ids, Run())
                baseline_rates.append(count / (time.perf_counter() - started))
                # The inspection: the same reads, then every rule; a fresh lint cache per round.
                run = Run(cache=bool(lint_cache))
                started = time.perf_counter()
                round_times: dict[str, float] = {}
                for read_seconds, transcripts in _read(ids, run):
                    for t in transcripts:
                        one = time.perf_counter()
                        outcome = engine.run(t, specs, timings=round_times)
                        rules_seconds = time.perf_counter() - one
                        per_conversation.append(rules_seconds)
                        with_read.append(rules_seconds + read_seconds / len(transcripts))
                        if n == 0:
                            score_total += outcome.score
                            pending += outcome.analysis_pending
                inspect_rates.append(count / (time.perf_counter() - started))
                for rule, seconds in round_times.items():
                    timings[rule] = timings.get(rule, 0.0) + seconds
            stored_rate = _inspect_and_store(ids)
            rule_time = sum(timings.values()) or 1.0
            base, full = statistics.median(baseline_rates), statistics.median(inspect_rates)
            result = {
                "bench": "quality",
                "database": connection.vendor,
                "data": "generated conversations (no data role: speed only)",
                "conversations": count,
                "messages": messages,
                "customer_analyses_stored": paths,
                "rounds": rounds,
                "rules": [s.id for s in specs],
                "rules_left_out": sorted(left_out),
                "store_seconds": round(build_seconds, 2),
                "inspect": {
                    "conversations_per_second_median": round(full, 1),
                    "conversations_per_second_min": round(min(inspect_rates), 1),
                    "conversations_per_second_max": round(max(inspect_rates), 1),
                },
                "baseline_read": {
                    "what": "load the batches (messages + stored analysis) and build the transcripts, no rule",
                    "conversations_per_second_median": round(base, 1),
                },
                "ratio_inspect_to_baseline": round(full / base, 3),
                "inspect_and_store_conversations_per_second": round(stored_rate, 1),
                "rules_ms_per_conversation": {
                    "p50": round(_percentile(per_conversation, 50) * 1000, 3),
                    "p99": round(_percentile(per_conversation, 99) * 1000, 3),
                },
                "ms_per_conversation_with_its_share_of_the_read": {
                    "p50": round(_percentile(with_read, 50) * 1000, 3),
                    "p99": round(_percentile(with_read, 99) * 1000, 3),
                },
                "share_of_rule_time": {rule: round(s / rule_time, 3) for rule, s in timings.items()},
                "ms_per_rule_per_conversation": {
                    rule: round(s / (count * rounds) * 1000, 4) for rule, s in timings.items()
                },
                "lint_cache": bool(lint_cache),
                "lint_calls_last_round": run.lint_calls,
                "lint_cache_hits_last_round": run.lint_hits,
                "analysis_pending": pending,
                "mean_score": round(score_total / count, 1),
            }
            raise _Rollback
    except _Rollback:
        pass
    result["load_average_before"] = load_before
    result["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    return result


def _inspect_and_store(ids: list[int]) -> float:
    """The sweeper's whole path once (read, rules, write inspections and checks), rolled back."""
    from kefu.conversations.models import Conversation
    from kefu.quality.actions import default_scorecard, do_inspect_many

    now = datetime(2026, 3, 2, 4, 0, tzinfo=UTC)
    rate = 0.0
    try:
        with transaction.atomic():
            card = default_scorecard(now)
            run = Run()
            started = time.perf_counter()
            for batch in _batches(ids):
                todo = engine.inspectable(Conversation.objects.filter(pk__in=batch).order_by("id"))
                do_inspect_many(todo, now=now, card=card, run=run)
            rate = len(ids) / (time.perf_counter() - started)
            raise _Rollback
    except _Rollback:
        pass
    return rate
