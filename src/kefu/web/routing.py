from django.urls import path

from kefu.intake.widget.consumers import WidgetConsumer
from kefu.web.consumers import BenchEchoConsumer, StreamConsumer

websocket_urlpatterns = [
    path("ws/streams/", StreamConsumer.as_asgi()),
    path("ws/widget/", WidgetConsumer.as_asgi()),
    path("ws/bench-echo/", BenchEchoConsumer.as_asgi()),
]
