from django.urls import path

from kefu.intake.widget.consumers import WidgetConsumer
from kefu.web.consumers import StreamConsumer

websocket_urlpatterns = [
    path("ws/streams/", StreamConsumer.as_asgi()),
    path("ws/widget/", WidgetConsumer.as_asgi()),
]
