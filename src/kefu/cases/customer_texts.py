"""What the customer is told at each step of a case, on the channel they used (contract E's
``notify_customer``).  These are the shop's own words to its (Chinese) customers: product
content like the canned replies, not interface strings."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from kefu.cases.choices import CaseKind, PostagePayer
from kefu.cases.models import Case

POSTAGE: dict[str, str] = {PostagePayer.SHOP: "退回运费由我们承担", PostagePayer.BUYER: "退回运费需要您承担哦"}
KIND: dict[str, str] = {
    CaseKind.REFUND_ONLY: "仅退款",
    CaseKind.RETURN_REFUND: "退货退款",
    CaseKind.EXCHANGE: "换货",
    CaseKind.REPAIR: "维修",
}


def _when(value: Any) -> str:
    return timezone.localtime(value).strftime("%m月%d日 %H:%M") if value is not None else ""


def text_for(case: Case, event: str, *, due_at: Any = None) -> str | None:
    """The message for ``event`` (``created`` for a new case), or None when the customer is not told."""
    n, amount = case.number, f"¥{case.amount}"
    address = f"{case.return_address}，联系人 {case.return_contact}，电话 {case.return_phone}"
    postage = POSTAGE.get(case.postage_payer, "")
    ship_back = f"请在{_when(due_at)}前将商品寄回：{address}；{postage}。寄出后请把快递单号告诉我们哦。"
    texts = {
        "created": f"您好，您的{KIND.get(case.kind, '')}申请（{n}）已收到，我们会尽快处理，请您耐心等待哦。",
        "refuse": f"很抱歉，您的售后申请 {n} 未能通过：{case.refuse_reason}。如有疑问请随时联系我们。",
        "buyer_shipped": f"已收到您的退货物流信息（{case.return_tracking_no}），我们收到商品后会第一时间处理。",
        "buyer_ship_timeout": f"您的售后申请 {n} 因超时未寄回商品已关闭，订单正常进行。如仍需售后请随时联系我们。",
        "confirm_receipt": f"您寄回的商品已收到，我们正在为您处理售后申请 {n}。",
        "auto_refund": f"您的售后申请 {n} 已由平台自动退款 {amount}，请注意查收。",
        "request_payment": f"您的退款 {amount} 已提交财务处理"
        + ("（已走绿色通道，财务上班后第一时间处理）" if case.green_channel else "")
        + "，请您耐心等待。",
        "pay": f"您的退款 {amount} 已退回原支付账户，请注意查收。感谢您的耐心！",
        "start_repair": f"您的商品已开始维修（{n}），修好后会第一时间寄回给您。",
        "complete": f"您的售后申请 {n} 已完成，感谢您的支持！",
        "close": f"您的售后申请 {n} 已关闭。如有其他问题请随时联系我们。",
    }
    if event in ("agree", "auto_agree"):
        if case.kind == CaseKind.REFUND_ONLY:
            if event == "auto_agree":
                return f"您的退款申请 {n} 已由平台自动同意并退款 {amount}，请注意查收。"
            return f"您的退款申请 {n} 已同意，我们会尽快为您退款 {amount}。"
        return f"您的售后申请 {n} 已同意。{ship_back}"
    if event in ("ship_replacement", "ship_repaired"):
        shipment = case.outbound_shipment
        what = "换货商品" if event == "ship_replacement" else "维修好的商品"
        tracking = f"{shipment.courier} {shipment.tracking_no}" if shipment is not None else ""
        return f"您的{what}已发出：{tracking}，请注意查收。"
    return texts.get(event)
