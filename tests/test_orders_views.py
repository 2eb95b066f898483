"""The orders pages render for the roles that use them, their forms call the actions, and bad
input (a broken import file, a bad new order) shows its error and changes nothing."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kefu.aftersales import actions
from kefu.aftersales.models import Order, OrderLink, ShippingRate
from tests.factories import ConversationFactory, CustomerFactory, ProductFactory, ShopFactory
from tests.factories_orders import (
    CodOrderFactory,
    LogisticsExceptionFactory,
    OrderFactory,
    OrderLineFactory,
    ServiceOrderFactory,
    ShipmentFactory,
    TrackingEventFactory,
    WarrantyReminderFactory,
    ensure_orders_defaults,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _defaults(db):
    ensure_orders_defaults()


@pytest.fixture
def as_user(client, roles, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    def login(role: str):
        client.force_login(roles[role])
        return client

    return login


def test_every_page_renders_with_data(as_user):
    # Given orders in several states, a shipment with events, an exception, a service order, a reminder,
    order = OrderFactory()
    OrderLineFactory(order=order)
    cod = CodOrderFactory()
    shipment = ShipmentFactory()
    TrackingEventFactory(shipment=shipment)
    LogisticsExceptionFactory(shipment=shipment)
    so = ServiceOrderFactory()
    WarrantyReminderFactory()
    client = as_user("supervisor")
    # when a supervisor opens each page, then it renders.
    for url in [
        "/orders/",
        "/orders/?status=paid&q=TB",
        "/orders/new/",
        "/orders/import/",
        f"/orders/{order.pk}/",
        f"/orders/{shipment.order_id}/",
        "/orders/cod/",
        "/logistics/",
        "/logistics/?show=all&kind=lost",
        "/shipping-rates/",
        "/shipping-rates/?weight=1500&province=广东",
        "/shipping/quote/?weight=800&province=浙江",
        "/service-orders/",
        "/service-orders/?view=all",
        f"/service-orders/{so.pk}/",
        f"/service-orders/new/?order={order.pk}",
        "/warranty-reminders/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
    assert cod.number.encode() in client.get("/orders/cod/").content
    assert "顺丰".encode() in client.get("/shipping/quote/?weight=800&province=浙江").content


def test_conversation_and_customer_pages_show_orders_and_link_in_one_step(as_user):
    # Given a chat of a customer with two orders,
    order = OrderFactory(courier="顺丰", tracking_no="SF999")
    OrderFactory(customer=order.customer)
    conversation = ConversationFactory(customer=order.customer)
    client = as_user("reception")
    page = client.get(f"/conversations/{conversation.pk}/").content.decode()
    assert order.number in page
    assert 'id="orders-panel"' in page
    # when the agent clicks "Link" beside the order,
    response = client.post("/orders/link/", {"conversation": conversation.pk, "order": order.pk})
    # then the chat is linked and its canned-reply values come with the page.
    assert response.status_code == 302
    assert OrderLink.objects.get(conversation=conversation).order == order
    page = client.get(f"/conversations/{conversation.pk}/").content.decode()
    assert 'id="order-vars"' in page
    assert "SF999" in page
    assert order.number in client.get(f"/customers/{order.customer_id}/").content.decode()
    # Linking by a number the customer does not have changes nothing.
    client.post("/orders/link/", {"conversation": conversation.pk, "order": "NOPE"})
    assert OrderLink.objects.get(conversation=conversation).order == order


def test_new_order_by_hand_and_its_errors(as_user):
    product = ProductFactory(shop=ShopFactory(code="jd"), sku="ONU-1")
    client = as_user("sales")
    form = {
        "shop": "jd",
        "platform_order_no": "JD-1",
        "payment": "cod",
        "customer_name": "赵六",
        "customer_phone": "13500135000",
        "sku": ["ONU-1", ""],
        "quantity": ["2", "1"],
        "unit_price": ["88.00", ""],
        "recipient_name": "赵六",
        "recipient_phone": "13500135000",
        "province": "江苏省",
        "city": "南京市",
        "detail": "鼓楼区 2 号",
    }
    bad = client.post("/orders/new/", {**form, "unit_price": ["-1", ""]})
    assert bad.status_code == 200
    assert b"cannot be negative" in bad.content
    assert Order.objects.count() == 0
    created = client.post("/orders/new/", form)
    order = Order.objects.get()
    assert created.url == f"/orders/{order.pk}/"
    assert order.status == "pending_confirmation"
    assert order.lines.get().product == product


def test_import_preview_lists_broken_rows_and_imports_the_good_ones(as_user):
    ProductFactory(shop=ShopFactory(code="tmall"), sku="SFP-1G")
    header = (
        "店铺代码,平台订单号,买家姓名,买家手机,SKU,商品名称,数量,单价,付款方式,收件人,收件电话,省份,城市,详细地址\n"
    )
    rows = [
        "tmall,T1,张三,13800000001,SFP-1G,光模块,2,59.90,在线支付,张三,13800000001,广东省,深圳市,南山 1 号",
        "tmall,T1,张三,13800000001,SFP-1G,光模块,1,59.90,在线支付,张三,13800000001,广东省,深圳市,南山 1 号",
        "tmall,T2,李四,13800000002,NOPE,不存在,1,10,在线支付,李四,13800000002,浙江省,杭州市,西湖 2 号",
        "nosuch,T3,王五,13800000003,SFP-1G,光模块,1,10,货到付款,王五,13800000003,北京,北京,朝阳 3 号",
        "tmall,T4,赵六,13800000004,SFP-1G,光模块,1,-5,货到付款,赵六,13800000004,北京,北京,朝阳 4 号",
        "tmall,T5,钱七,13800000005,SFP-1G,光模块,1,10,货到付款,钱七,13800000005,北京,北京,朝阳 5 号",
    ]
    upload = SimpleUploadedFile("orders.csv", (header + "\n".join(rows)).encode("utf-8"), content_type="text/csv")
    client = as_user("aftersales")
    # When the file is previewed,
    preview = client.post("/orders/import/", {"file": upload})
    page = preview.content.decode()
    # then the broken rows are listed with their row numbers and reasons, and nothing is written yet,
    assert "no product with SKU" in page
    assert "Unknown shop" in page
    assert "cannot be negative" in page
    assert Order.objects.count() == 0
    token = preview.context["token"]
    # and confirming imports the two good orders (T1 with two lines, T5).
    client.post("/orders/import/", {"token": token})
    assert sorted(Order.objects.values_list("platform_order_no", flat=True)) == ["T1", "T5"]
    assert Order.objects.get(platform_order_no="T1").lines.count() == 2
    # A second import of the same file finds them already there.
    again = client.post(
        "/orders/import/", {"file": SimpleUploadedFile("o.csv", (header + rows[0]).encode(), content_type="text/csv")}
    )
    assert "already in kefu" in again.content.decode()


def test_import_xlsx_template_round_trip_and_bad_files(as_user):
    from openpyxl import Workbook, load_workbook

    ProductFactory(shop=ShopFactory(code="tmall"), sku="SFP-1G-LX")
    client = as_user("aftersales")
    template = client.get("/orders/import/template.xlsx")
    assert template.status_code == 200
    sheet = load_workbook(io.BytesIO(template.content)).active
    assert sheet["A1"].value == "店铺代码"
    preview = client.post("/orders/import/", {"file": SimpleUploadedFile("t.xlsx", template.content)})
    assert len(preview.context["plan"].good) == 1
    assert client.get("/orders/import/template.csv").content.startswith("\ufeff店铺代码".encode())
    # A spreadsheet without the needed columns, a picture, an empty file: clear errors.
    book = Workbook()
    book.active.append(["foo", "bar"])
    out = io.BytesIO()
    book.save(out)
    for upload, fragment in [
        (SimpleUploadedFile("x.xlsx", out.getvalue()), "misses the columns"),
        (SimpleUploadedFile("x.png", b"\x89PNG\r\n\x1a\n" + b"0" * 20, content_type="image/png"), "CSV or an XLSX"),
        (SimpleUploadedFile("x.csv", b"", content_type="text/csv"), "empty"),
    ]:
        response = client.post("/orders/import/", {"file": upload})
        assert fragment in response.content.decode()
    assert Order.objects.count() == 0
    # Finance may not import.
    assert as_user("finance").get("/orders/import/").status_code == 403


def test_cod_page_records_an_outcome(as_user):
    order = CodOrderFactory()
    client = as_user("reception")
    client.post(f"/orders/{order.pk}/cod/", {"outcome": "confirmed", "note": "本人确认"})
    order.refresh_from_db()
    assert order.status == "confirmed"
    # then the order page ships it.
    as_user("aftersales").post(f"/orders/{order.pk}/do/", {"op": "ship", "courier": "顺丰", "tracking_no": "SF7"})
    order.refresh_from_db()
    assert order.status == "shipped"


def test_shipping_rates_edit_is_for_administrators(as_user):
    rate = ShippingRate.objects.first()
    form = {
        "id": rate.pk,
        "courier": rate.courier,
        "zone": rate.zone,
        "provinces": rate.provinces,
        "first_weight_grams": "1000",
        "first_price": "99.00",
        "extra_unit_grams": "500",
        "extra_price": "3.00",
        "is_active": "1",
    }
    as_user("supervisor").post("/shipping-rates/", form)
    rate.refresh_from_db()
    assert str(rate.first_price) != "99.00"
    as_user("admin").post("/shipping-rates/", form)
    rate.refresh_from_db()
    assert str(rate.first_price) == "99.00"
    assert rate.extra_unit_grams == 500


def test_customer_without_orders_shows_an_empty_panel(as_user):
    customer = CustomerFactory()
    page = as_user("reception").get(f"/customers/{customer.pk}/").content.decode()
    assert "No orders yet." in page
    assert actions  # the module the pages call
