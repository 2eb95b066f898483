"""Upload type checks by the bytes (kefu.core.uploads.sniff)."""

from __future__ import annotations

import pytest

from kefu.core.uploads import sniff


@pytest.mark.parametrize("cut", [0, 1, 2])
def test_utf8_chinese_text_cut_anywhere_inside_a_character_is_text(cut):
    # Given Chinese UTF-8 text (3 bytes a character) whose first 512 bytes end `cut` bytes into a character,
    data = ("订单号,客户,电话\n" * 60).encode("utf-8")
    head = data[: 510 + cut] if cut else data[:510]
    # when its head is sniffed, then it is plain text, not refused.
    assert sniff(head) == "text/plain"


def test_binary_and_invalid_text_are_not_text():
    # Given bytes that are no UTF-8 (a GBK string) and bytes with a NUL,
    # then neither is taken for text.
    assert sniff("订单号".encode("gbk") + b"\xff\xfe") is None
    assert sniff(b"abc\x00def") is None
