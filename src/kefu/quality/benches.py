"""``kefu bench quality``: inspect generated conversations with the shipped scorecard; prints the
conversations per second and the share of the time each rule takes."""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from kefu.core.bench import bench
from kefu.quality import engine
from kefu.quality.rules import AGENT, BOT, CUSTOMER, Msg, Transcript

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


def generate(count: int, seed: int = 11) -> list[Transcript]:
    """``count`` conversations of 10–30 messages; numbers make each text unique, so no cache
    of the lint or the emotion analysis flatters the figure."""
    rng = random.Random(seed)  # noqa: S311 - reproducible benchmark inputs
    start = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
    out = []
    for n in range(count):
        messages: list[Msg] = []
        at = start
        author = CUSTOMER
        for _i in range(rng.randint(10, 30)):
            at += timedelta(seconds=rng.randint(2, 40))
            pool = CUSTOMER_LINES if author == CUSTOMER else AGENT_LINES
            text = rng.choice(pool).format(p=rng.choice(PRODUCTS), n=f"{n:05d}{rng.randint(0, 9999):04d}")
            messages.append(Msg(author if rng.random() > 0.03 else BOT, text, at))
            if rng.random() < 0.6:
                author = AGENT if author == CUSTOMER else CUSTOMER
        out.append(Transcript(rng.choice(CHANNELS), messages))
    return out


@bench(
    "quality",
    "Quality inspection of generated conversations with the shipped rules: conversations/s, time per rule.",
    count=(int, 10000, "conversations to inspect"),
    skip=(str, "", "rules to leave out, comma-separated (e.g. soothe_first, whose emotion model dominates)"),
)
def quality_bench(count: int = 10000, skip: str = "") -> dict[str, Any]:
    transcripts = generate(count)
    left_out = {rule.strip() for rule in skip.split(",") if rule.strip()}
    specs = [spec for spec in engine.shipped_specs() if spec.id not in left_out]
    engine.run(generate(1, seed=1)[0], specs)  # warm the lint's phrase list and the emotion model
    timings: dict[str, float] = {}
    started = time.perf_counter()
    scores = 0
    for t in transcripts:
        scores += engine.run(t, specs, timings=timings).score
    elapsed = time.perf_counter() - started
    rule_time = sum(timings.values())
    return {
        "conversations": count,
        "rules_left_out": sorted(left_out),
        "messages": sum(len(t.messages) for t in transcripts),
        "seconds": round(elapsed, 2),
        "conversations_per_second": round(count / elapsed, 1),
        "mean_score": round(scores / count, 1),
        "share_of_time_per_rule": {rule: round(seconds / rule_time, 3) for rule, seconds in timings.items()},
        "ms_per_rule": {rule: round(seconds / count * 1000, 3) for rule, seconds in timings.items()},
    }
