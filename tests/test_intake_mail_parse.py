"""Email parsing: the shared corpus of real mails, and the Chinese/Japanese/Korean cases
help desks get wrong (mislabelled GBK, Big5-HKSCS, raw 8-bit headers, split encoded-words)."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import pytest

from kefu.intake.email.charsets import decode
from kefu.intake.email.headers import decode_header, parse_addresses
from kefu.intake.email.parse import parse
from kefu.intake.email.quotes import split_reply

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "email"
EXPECTED = CORPUS / "expected.jsonl"


def _ws(value: str) -> str:
    return re.sub(r"\s+", " ", value or "").strip()


def _expectations() -> list[dict]:
    if not EXPECTED.exists():
        return []
    return [json.loads(line) for line in EXPECTED.read_text(encoding="utf-8").splitlines() if line.strip()]


def _corpus_files() -> list[Path]:
    return sorted(CORPUS.rglob("*.eml")) if CORPUS.exists() else []


needs_corpus = pytest.mark.skipif(not CORPUS.exists(), reason=f"the shared corpus is not at {CORPUS}")


@needs_corpus
def test_the_corpus_is_there():
    # then: the corpus README promises 187 files and 118 expectations
    assert len(_corpus_files()) >= 180
    assert len(_expectations()) == 118


@needs_corpus
@pytest.mark.parametrize("path", _corpus_files(), ids=lambda p: str(p.relative_to(CORPUS)))
def test_every_corpus_mail_parses(path: Path):
    # when: any mail of the corpus is parsed
    parsed = parse(path.read_bytes())
    # then: nothing raises and the parts are consistent
    assert isinstance(parsed.text, str)
    assert all(a.name and "/" not in a.name for a in parsed.attachments)


@needs_corpus
@pytest.mark.parametrize("expected", _expectations(), ids=lambda e: e["file"])
def test_corpus_expectations(expected: dict):
    # given: the upstream assertions for one file
    parsed = parse((CORPUS / expected["file"]).read_bytes())
    # then: each asserted field matches
    if expected["subject"] is not None:
        assert _ws(parsed.subject) == _ws(expected["subject"])
    if expected["from_name"] is not None:
        assert parsed.from_name == expected["from_name"]
    if expected["from_address"] is not None:
        assert parsed.from_address == expected["from_address"]
    text = parsed.text.replace("\r", "").replace("\n", "")
    for needle in expected["text_contains"] or []:
        assert needle in text
    html = parsed.html.replace("\r", "").replace("\n", "")
    for needle in expected["html_contains"] or []:
        assert needle in html
    if expected["attachments"] is not None:
        names = parsed.attachment_names
        assert len(names) == len(expected["attachments"]), names
        for want, got in zip(expected["attachments"], names, strict=True):
            if want is not None:
                assert got == want
    if expected["is_bounce"] is not None:
        assert parsed.classification.is_bounce is expected["is_bounce"]


@needs_corpus
def test_corpus_threads_are_linked_by_their_headers():
    # given: the reply chain example05 → 06 → 07 of RFC 2822
    chain = [parse((CORPUS / f"mikel-mail/rfc2822/example0{n}.eml").read_bytes()) for n in (5, 6, 7)]
    # then: each reply names its parent
    assert chain[1].in_reply_to == [chain[0].message_id]
    assert chain[2].in_reply_to == [chain[1].message_id]
    assert chain[0].message_id in chain[2].references


def _mail(headers: str, body: bytes, *, content_type: str = "text/plain; charset=utf-8", cte: str = "8bit") -> bytes:
    head = headers.strip("\n").replace("\n", "\r\n").encode("utf-8", "surrogateescape")
    return (
        head
        + f"\r\nMIME-Version: 1.0\r\nContent-Type: {content_type}\r\nContent-Transfer-Encoding: {cte}\r\n\r\n".encode()
        + body
    )


def test_gb2312_label_on_gbk_text():
    # given: a body labelled gb2312 with characters only GBK/GB18030 has (镕, 喆, 堃)
    body = "朱镕基、张喆和王堃的订单".encode("gbk")
    raw = _mail("From: a@example.cn\nSubject: test", body, content_type="text/plain; charset=gb2312")
    # then: read as GB18030, nothing replaced
    assert parse(raw).text == "朱镕基、张喆和王堃的订单"


@pytest.mark.parametrize("label", ["gbk", "x-gbk", "GB2312", "gb18030", "cp936"])
def test_every_gbk_label(label: str):
    body = "您好，我的订单号是 12345，请尽快发货。𠀀".encode("gb18030")
    raw = _mail("From: a@example.cn\nSubject: t", body, content_type=f"text/plain; charset={label}")
    assert parse(raw).text == "您好，我的订单号是 12345，请尽快发货。𠀀"


def test_big5_label_on_hkscs_text():
    # given: Hong Kong characters (HKSCS) in a mail labelled plain big5
    text = "請問你哋幾時送貨？嘅"
    raw = _mail("From: a@example.hk\nSubject: t", text.encode("big5hkscs"), content_type="text/plain; charset=big5")
    assert parse(raw).text == text


def test_iso_2022_jp_with_windows_extensions_and_euc_kr():
    # given: ISO-2022-JP as Windows writes it, with an NEC extension character (① = JIS 0x2D21)
    body = "お問い合わせありがとうございます".encode("iso2022_jp") + b"\x1b$B-!\x1b(B"
    jp = _mail("From: a@example.jp\nSubject: t", body, content_type="text/plain; charset=iso-2022-jp", cte="7bit")
    kr = _mail("From: a@example.kr\nSubject: t", "주문 확인 부탁드립니다".encode("cp949"),
               content_type="text/plain; charset=ks_c_5601-1987")  # fmt: skip
    assert parse(jp).text == "お問い合わせありがとうございます①"
    assert parse(kr).text == "주문 확인 부탁드립니다"


def test_raw_8bit_headers_utf8_and_gbk():
    # given: headers with raw bytes and no encoding at all (UTF-8 in one mail, GBK in another)
    utf8 = _mail("From: 张三 <zs@example.cn>\nSubject: 发票问题", "正文".encode())
    gbk_head = "From: 李四 <ls@example.cn>\nSubject: 退货申请".encode("gbk").decode("ascii", "surrogateescape")
    gbk = _mail(gbk_head, "正文".encode("gbk"), content_type="text/plain; charset=gbk")
    # then: both read like a mail client (GBK headers by the body's charset)
    first, second = parse(utf8), parse(gbk)
    assert (first.subject, first.from_name) == ("发票问题", "张三")
    assert (second.subject, second.from_name, second.from_address) == ("退货申请", "李四", "ls@example.cn")


def test_encoded_word_split_inside_a_character():
    # given: a GBK subject whose second character is cut between two encoded-words
    data = "售后服务预约".encode("gbk")
    first, second = base64.b64encode(data[:3]).decode(), base64.b64encode(data[3:]).decode()
    subject = f"=?gb2312?B?{first}?=\n =?gb2312?B?{second}?="
    # and: a UTF-8 Q-encoded subject split in the middle of a three-byte character
    q = "".join(f"={b:02X}" for b in "订单".encode())
    assert decode_header(subject) == "售后服务预约"
    assert decode_header(f"=?utf-8?Q?{q[:12]}?= =?utf-8?Q?{q[12:]}?=") == "订单"


def test_rfc2231_chinese_file_name_and_encoded_word_name():
    # given: one attachment named the RFC 2231 way, one the (common, non-standard) RFC 2047 way
    name_2231 = "".join(f"%{b:02X}" for b in "发票 2024.pdf".encode())
    name_2047 = base64.b64encode("合同.docx".encode("gbk")).decode()
    raw = (
        "From: a@example.cn\r\nSubject: files\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
        "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nsee attached\r\n"
        "--b\r\nContent-Type: application/pdf\r\n"
        f"Content-Disposition: attachment; filename*=UTF-8''{name_2231}\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n"
        f'--b\r\nContent-Type: application/octet-stream; name="=?gbk?B?{name_2047}?="\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\nUEsDBA==\r\n--b--\r\n"
    ).encode()
    parsed = parse(raw)
    assert parsed.attachment_names == ["发票 2024.pdf", "合同.docx"]
    assert parsed.attachments[0].data.startswith(b"%PDF")


def test_missing_charset_is_detected():
    body = "您好，请问你们的产品支持七天无理由退货吗？我上周买的耳机有杂音。".encode("gb18030")
    raw = _mail("From: a@example.cn\nSubject: t", body, content_type="text/plain")
    assert "七天无理由退货" in parse(raw).text


def test_unknown_transfer_encoding_keeps_the_text():
    raw = _mail("From: a@example.cn\nSubject: t", "内容".encode(), cte="x-made-up")
    parsed = parse(raw)
    assert parsed.text == "内容"
    assert any("transfer encoding" in d for d in parsed.defects)


def test_html_only_mail_is_sanitised_and_has_a_text_version():
    html = '<html><body><p>您好<script>alert(1)</script></p><img src="x" onerror="alert(2)"><p>谢谢</p></body></html>'
    raw = _mail("From: a@example.cn\nSubject: t", html.encode(), content_type="text/html; charset=utf-8")
    parsed = parse(raw)
    assert "<script" not in parsed.html_safe
    assert "onerror" not in parsed.html_safe
    assert parsed.text.split() == ["您好", "谢谢"]


def test_nested_message_is_an_attachment_not_the_text():
    inner = b"From: x@example.com\r\nSubject: inner\r\n\r\ninner body\r\n"
    raw = (
        b'From: a@example.cn\r\nSubject: fwd\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n'
        b"--b\r\nContent-Type: text/plain\r\n\r\nouter body\r\n--b\r\nContent-Type: message/rfc822\r\n\r\n"
        + inner
        + b"--b--\r\n"
    )
    parsed = parse(raw)
    assert parsed.text == "outer body"
    assert parsed.attachment_names == ["inner.eml"]
    assert b"inner body" in parsed.attachments[0].data


@pytest.mark.parametrize(
    ("text", "new"),
    [
        ("好的，谢谢！\n\n在 2024年3月1日 周五 10:00，客服 <kf@example.com> 写道：\n> 您的订单已发货", "好的，谢谢！"),
        ("收到\n\n张三 <zs@example.com> 于2024年3月1日周五 上午10:00写道：\n> 原文", "收到"),
        ("OK thanks\n\nOn Fri, 1 Mar 2024 at 10:00, Support <kf@example.com>\nwrote:\n> quoted", "OK thanks"),
        ("已处理\n\n-----原始邮件-----\n发件人: kf@example.com\n发送时间: 2024年3月1日\n主题: 订单", "已处理"),
        ("Fine\n\n________________________________\nFrom: Support\nSent: Friday\nTo: me\nSubject: x", "Fine"),
        ('好\n\n------------------ 原始邮件 ------------------\n发件人: "客服"', "好"),
        ("新问题\n\n发件人: 客服 <kf@example.com>\n日期: 2024-03-01\n收件人: 我\n主题: Re: 订单\n\n旧内容", "新问题"),
        ("第一行\n-- \n张三\n13800000000", "第一行"),
        ("好的\n\n发自我的iPhone", "好的"),
    ],
)
def test_quoted_history_and_signature_are_separated(text: str, new: str):
    split = split_reply(text)
    assert split.new == new
    assert split.quoted or split.signature


def test_interleaved_answers_are_not_cut():
    text = "> 问题一\n回答一\n> 问题二\n回答二"
    assert split_reply(text).new == text


def test_addresses_with_encoded_names():
    assert parse_addresses('"=?utf-8?B?5byg5LiJ?=" <zs@example.cn>, li@example.cn') == [
        ("张三", "zs@example.cn"),
        ("", "li@example.cn"),
    ]


def test_decode_never_raises_on_garbage():
    text, _codec = decode(bytes(range(256)) * 4, "utf-8")
    assert isinstance(text, str)


def test_bad_input_never_raises():
    # given: an empty mail, 100 levels of multipart nesting, 500 attachments
    deep = b"From: a@example.cn\r\nSubject: deep\r\n"
    for level in range(100):
        deep += f'Content-Type: multipart/mixed; boundary="b{level}"\r\n\r\n--b{level}\r\n'.encode()
    deep += b"Content-Type: text/plain\r\n\r\nbottom\r\n"
    many = b'From: a@example.cn\r\nSubject: many\r\nContent-Type: multipart/mixed; boundary="z"\r\n\r\n'
    many += b"".join(
        f'--z\r\nContent-Type: application/octet-stream; name="f{i}.bin"\r\n\r\n{i}\r\n'.encode() for i in range(500)
    )
    many += b"--z--\r\n"
    # then: each parses; the deep one notes what was not read
    assert parse(b"").text == ""
    parsed_deep = parse(deep)
    assert any("nesting" in d for d in parsed_deep.defects)
    assert len(parse(many).attachments) == 500


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Big Bug bb@bug.com", [("Big Bug", "bb@bug.com")]),
        ('"postmaster@" <sending_domain.tld postmaster@sending_domain.tld>', [("", "postmaster@sending_domain.tld")]),
        ("tim@example.com concierge@example.com", [("", "tim@example.com")]),
    ],
)
def test_broken_from_headers_still_give_an_address(header: str, expected: list):
    assert parse_addresses(header) == expected


# --- issue 20: charset names mail clients accept but Python does not know ----------------------


@pytest.mark.parametrize(
    ("label", "text", "codec"),
    [
        ("BALTIC", "Labas, užsakymas Nr. 5 dar negautas. Ačiū!", "iso8859-13"),
        ("iso-ir-179", "Sveiki! Pasūtījums vēl nav saņemts.", "iso8859-13"),
        ("ARABIC", "مرحبا، لم يصل طلبي بعد", "iso8859-6"),
        ("iso-8859-8-i", "שלום, ההזמנה שלי לא הגיעה", "iso8859-8"),
        ("latin-9", "Commande reçue, merci : 50 €", "iso8859-15"),
        ("x-mac-cyrillic", "Здравствуйте, заказ не пришёл", "mac-cyrillic"),
    ],
)
def test_iconv_charset_aliases(label: str, text: str, codec: str):
    raw = _mail("From: a@example.lt\nSubject: t", text.encode(codec), content_type=f"text/plain; charset={label}")
    assert parse(raw).text == text


@pytest.mark.parametrize(
    ("label", "codec", "bom"),
    [
        ("unicode", "utf-16-le", b""),
        ("unicode", "utf-16-le", b"\xff\xfe"),
        ("Unicode", "utf-16-be", b"\xfe\xff"),  # a BOM wins over the label's byte order
        ("unicodeFFFE", "utf-16-be", b""),
        ("unicodebig", "utf-16-be", b""),
        ("unicodeFFFE", "utf-16-be", b"\xfe\xff"),
        ("ucs-2", "utf-16-le", b""),  # no BOM, mostly Latin: the zero bytes tell the byte order
    ],
)
def test_windows_unicode_labels_are_utf16(label: str, codec: str, bom: bytes):
    text = "您好，订单 A123 还没到 — hello"
    raw = _mail(
        "From: a@example.cn\nSubject: t",
        base64.encodebytes(bom + text.encode(codec)),
        content_type=f"text/plain; charset={label}",
        cte="base64",
    )
    assert parse(raw).text == text


def test_utf16_mostly_ascii_text_keeps_its_letters():
    # "unicode" text with only Latin letters is ASCII bytes with NULs between them
    raw = _mail(
        "From: a@example.com\nSubject: t",
        base64.encodebytes("Order 42 is late".encode("utf-16-le")),
        content_type='text/plain; charset="unicode"',
        cte="base64",
    )
    assert parse(raw).text == "Order 42 is late"


def test_encoded_word_with_a_windows_unicode_label():
    word = base64.b64encode("退货".encode("utf-16-le")).decode()
    assert decode_header(f"=?unicode?B?{word}?=") == "退货"


# --- issue 20: multipart/alternative of text/plain parts only: a client shows them all ------


def test_alternative_of_plain_parts_keeps_every_part():
    raw = (
        b"From: a@example.cn\r\nSubject: t\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/alternative; boundary="b1"\r\n\r\n'
        b"--b1\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        + "第一段：订单 A1 没到。".encode()
        + b"\r\n--b1\r\nContent-Type: text/plain; charset=gbk\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        + "第二段：请退款到原账户。".encode("gbk")
        + b"\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nthird part\r\n--b1--\r\n"
    )
    text = parse(raw).text
    assert "第一段：订单 A1 没到。" in text
    assert "第二段：请退款到原账户。" in text
    assert "third part" in text
    assert text.index("第一段") < text.index("第二段") < text.index("third")


def test_alternative_with_html_still_picks_one_reading():
    raw = (
        b"From: a@example.cn\r\nSubject: t\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/alternative; boundary="b1"\r\n\r\n'
        b"--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nplain reading\r\n"
        b"--b1\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>html reading</p>\r\n--b1--\r\n"
    )
    parsed = parse(raw)
    assert parsed.text == "plain reading"


def test_alternative_of_identical_plain_parts_is_not_repeated():
    part = b"Content-Type: text/plain; charset=utf-8\r\n\r\nsame text\r\n"
    raw = (
        b"From: a@example.cn\r\nSubject: t\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/alternative; boundary="b1"\r\n\r\n--b1\r\n'
        + part
        + b"--b1\r\n"
        + part
        + b"--b1--\r\n"
    )
    assert parse(raw).text == "same text"


@pytest.mark.parametrize("text", ["收到", "您好", "订单没到", "ok", "A1"])
@pytest.mark.parametrize(
    ("label", "codec"), [("unicode", "utf-16-le"), ("unicodeFFFE", "utf-16-be"), ("unicodebig", "utf-16-be")]
)
def test_short_utf16_under_windows_labels_is_not_guessed(text: str, label: str, codec: str):
    # Too short for detection to find: the label alone must say UTF-16 and its byte order.
    assert decode(text.encode(codec), label)[0] == text
