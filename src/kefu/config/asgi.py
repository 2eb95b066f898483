"""ASGI entry point: HTTP through Django, WebSocket through Channels."""

import gc
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kefu.config.settings")

from django.core.asgi import get_asgi_application

django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from kefu.web.routing import websocket_urlpatterns  # noqa: E402
from kefu.web.ws_auth import BearerTokenMiddleware  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(BearerTokenMiddleware(URLRouter(websocket_urlpatterns)))
        ),
    }
)

# What the web process loads at start (modules, models, URL patterns) lives as long as the process.  Left
# to the cyclic garbage collector, every full collection walked it all — 100–180 ms with the GIL held,
# every few seconds under chat load (kefu bench chat, docs/benchmarks.md) — so it is moved out of the
# collector's reach; what is made while serving is collected as before.
from django.urls import get_resolver  # noqa: E402

get_resolver().url_patterns  # noqa: B018 - load the views now, so they are frozen too
# The word segmenter of the search index (kefu.finder indexes every message inside the group commit) is
# loaded now: loaded on first use, it held the group commit's thread for the first message's batch.
from kefu.core.text import search_words  # noqa: E402

search_words("预热 warm-up")
gc.freeze()
# A chat message allocates a few thousand short-lived objects; collecting the youngest generation every
# 700 allocations ran it hundreds of times a second.  Collect it ten times less often.
gc.set_threshold(7000, 10, 10)
