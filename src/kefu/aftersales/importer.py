"""Order import from CSV or XLSX: one row per order line, rows with the same shop and platform
order number form one order. :func:`preview` checks every order without writing; the good ones
import, the broken ones are listed with their row numbers and reasons."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from kefu.aftersales.models import Order
from kefu.aftersales.orders_input import parse_order
from kefu.core.errors import KefuError, ValidationFailed
from kefu.core.uploads import check_upload

MAX_ROWS = 5000

# column -> accepted headers (the template's Chinese header first)
COLUMNS: dict[str, tuple[str, ...]] = {
    "shop": ("店铺代码", "店铺", "shop"),
    "platform_order_no": ("平台订单号", "订单号", "platform_order_no"),
    "customer_name": ("买家姓名", "客户姓名", "customer_name"),
    "customer_phone": ("买家手机", "客户电话", "customer_phone"),
    "sku": ("SKU", "商品编码", "sku"),
    "name": ("商品名称", "name"),
    "quantity": ("数量", "quantity"),
    "unit_price": ("单价", "unit_price"),
    "payment": ("付款方式", "payment"),
    "recipient_name": ("收件人", "recipient_name"),
    "recipient_phone": ("收件电话", "recipient_phone"),
    "province": ("省份", "province"),
    "city": ("城市", "city"),
    "detail": ("详细地址", "address", "detail"),
    "status": ("状态", "status"),
    "shipped_at": ("发货时间", "shipped_at"),
    "delivered_at": ("签收时间", "delivered_at"),
}
REQUIRED = ("shop", "customer_phone", "sku", "quantity", "unit_price", "recipient_name", "recipient_phone")
PAYMENT_WORDS = {"在线支付": "online", "货到付款": "cod", "online": "online", "cod": "cod", "": "online"}
EXAMPLE = {
    "shop": "tmall",
    "platform_order_no": "TB2026112300001",
    "customer_name": "张三",
    "customer_phone": "13800138000",
    "sku": "SFP-1G-LX",
    "name": "千兆单模光模块",
    "quantity": "2",
    "unit_price": "59.90",
    "payment": "在线支付",
    "recipient_name": "张三",
    "recipient_phone": "13800138000",
    "province": "广东省",
    "city": "深圳市",
    "detail": "南山区科技园 1 号",
    "status": "",
    "shipped_at": "",
    "delivered_at": "",
}


@dataclass
class Planned:
    rows: list[int]
    body: dict[str, Any]
    number: str
    error: str = ""


@dataclass
class Preview:
    good: list[Planned] = field(default_factory=list)
    bad: list[Planned] = field(default_factory=list)

    @property
    def bodies(self) -> list[dict[str, Any]]:
        return [p.body for p in self.good]


def template_rows() -> list[list[str]]:
    return [[headers[0] for headers in COLUMNS.values()], [EXAMPLE[name] for name in COLUMNS]]


def template_csv() -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(template_rows())
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # the BOM lets Excel open it as UTF-8


def template_xlsx() -> bytes:
    from openpyxl import Workbook  # type: ignore[import-untyped]

    book = Workbook()
    sheet = book.active
    for row in template_rows():
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def read_table(upload: UploadedFile) -> list[list[str]]:
    """The file's cells as text (CSV in UTF-8 or GB18030, or the first sheet of an XLSX)."""
    name = (upload.name or "").lower()
    if name.endswith(".csv"):
        # kefu.core.uploads sniffs the first 512 bytes as UTF-8; a GB18030 export (Excel's
        # default in China) would not pass, so a .csv is checked here by decoding all of it.
        size = upload.size or 0
        if size == 0:
            raise ValidationFailed(_("The file is empty."))
        if size > settings.KEFU_MAX_UPLOAD_BYTES:
            raise ValidationFailed(_("The file is too large."))
        upload.seek(0)
        return _csv_rows(upload.read())
    checked = check_upload(upload)
    upload.seek(0)
    data = upload.read()
    if checked.content_type == "application/zip":
        return _xlsx_rows(data)
    if checked.content_type != "text/plain":
        raise ValidationFailed(_("Upload a CSV or an XLSX file."))
    return _csv_rows(data)


def _csv_rows(data: bytes) -> list[list[str]]:
    if b"\x00" in data:
        raise ValidationFailed(_("Upload a CSV or an XLSX file."))
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValidationFailed(_("The CSV file is neither UTF-8 nor GB18030."))
    return list(csv.reader(io.StringIO(text)))


def _xlsx_rows(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise ValidationFailed(_("The file is not a readable XLSX workbook.")) from None
    sheet = book.worksheets[0]
    rows = []
    for row in sheet.iter_rows(values_only=True):
        rows.append(["" if v is None else _cell(v) for v in row])
        if len(rows) > MAX_ROWS + 1:
            break
    book.close()
    return rows


def _cell(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        text = str(value.isoformat())
        return text if "+" in text[10:] else text + "+08:00"  # spreadsheets hold local times
    return str(value).strip()


def _columns(header: list[str]) -> dict[str, int]:
    index: dict[str, int] = {}
    for i, name in enumerate(header):
        name = name.strip().lstrip("\ufeff")
        for column, accepted in COLUMNS.items():
            if name in accepted or name.lower() in accepted:
                index.setdefault(column, i)
    missing = [COLUMNS[c][0] for c in REQUIRED if c not in index]
    if missing:
        raise ValidationFailed(
            _("The file misses the columns: %(columns)s. Download the template to see them.")
            % {"columns": ", ".join(missing)}
        )
    return index


def preview(table: list[list[str]]) -> Preview:
    if not table or not any(cell.strip() for cell in table[0]):
        raise ValidationFailed(_("The file is empty."))
    if len(table) - 1 > MAX_ROWS:
        raise ValidationFailed(_("At most %(n)d rows per file.") % {"n": MAX_ROWS})
    index = _columns(table[0])
    groups: dict[tuple[str, str], list[tuple[int, dict[str, str]]]] = {}
    for number, row in enumerate(table[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        values = {c: (row[i].strip() if i < len(row) else "") for c, i in index.items()}
        key = (values.get("shop", ""), values.get("platform_order_no", "") or f"row{number}")
        groups.setdefault(key, []).append((number, values))
    result = Preview()
    for rows in groups.values():
        first = rows[0][1]
        body: dict[str, Any] = {
            "shop": first.get("shop", ""),
            "platform_order_no": first.get("platform_order_no", ""),
            "customer": {"name": first.get("customer_name", ""), "phone": first.get("customer_phone", "")},
            "payment": PAYMENT_WORDS.get(first.get("payment", ""), first.get("payment", "")),
            "address": {
                "name": first.get("recipient_name", ""),
                "phone": first.get("recipient_phone", ""),
                "province": first.get("province", ""),
                "city": first.get("city", ""),
                "detail": first.get("detail", ""),
            },
            "lines": [
                {
                    "sku": v.get("sku", ""),
                    "name": v.get("name", ""),
                    "quantity": v.get("quantity", ""),
                    "unit_price": v.get("unit_price", ""),
                }
                for _n, v in rows
            ],
            "status": first.get("status", ""),
            "shipped_at": first.get("shipped_at", ""),
            "delivered_at": first.get("delivered_at", ""),
        }
        planned = Planned(rows=[n for n, _v in rows], body=body, number=body["platform_order_no"] or "—")
        try:
            parsed = parse_order(body)
            if (
                parsed.platform_order_no
                and Order.objects.filter(shop=parsed.shop, platform_order_no=parsed.platform_order_no).exists()
            ):
                raise ValidationFailed(_("Order %(number)s is already in kefu.") % {"number": parsed.platform_order_no})
            result.good.append(planned)
        except KefuError as exc:
            planned.error = str(exc.message)
            result.bad.append(planned)
    return result
