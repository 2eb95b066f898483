"""``kefu assist_train``: train the emotion and intent models again (they are cached under var/models/)."""

from __future__ import annotations

import json
import time
from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _


class Command(BaseCommand):
    help = _("Train the emotion signals, their combination and the intent classifier again.")

    def handle(self, *args: Any, **options: Any) -> None:
        from kefu.assist import emotion, modelcache, sentiment
        from kefu.bot import intents

        started = time.perf_counter()
        sentiment.retrain()
        modelcache.forget("assist-combiner")
        emotion.combiner.cache_clear()
        emotion.combiner()
        modelcache.forget("bot-intents")
        intents.model.cache_clear()
        intents.model()
        seconds = round(time.perf_counter() - started, 1)
        self.stdout.write(json.dumps({"trained": str(modelcache.models_dir()), "seconds": seconds}))
