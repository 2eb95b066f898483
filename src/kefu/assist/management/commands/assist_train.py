"""``kefu assist_train``: rebuild the shipped emotion and intent models from their sources.

Reads the review corpus (``$KEFU_SENTIMENT_CORPUS``, by default ``../shared/corpus/sentiment`` next to the
checkout) and the repository's train sets, fits with fixed seeds, writes ``kefu/assist/trained/emotion.npz``,
``kefu/bot/trained/intents.npz`` and ``kefu/assist/trained/manifest.json`` (data hashes, parameters,
versions, dev figures), printing a line for every step.  Commit the three files to ship them.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _


class Command(BaseCommand):
    help = _("Rebuild the shipped emotion and intent models from their training data.")

    def handle(self, *args: Any, **options: Any) -> None:
        from kefu.assist import training

        def progress(line: str) -> None:
            self.stdout.write(line)
            self.stdout.flush()

        try:
            manifest = training.train_all(progress)
        except FileNotFoundError as exc:
            raise CommandError(str(exc)) from exc
        figures = {"emotion": manifest["emotion"]["dev_figures"], "intents": manifest["intents"]["dev_figures"]}
        self.stdout.write(json.dumps({"manifest": str(training.manifest_path()), "dev_figures": figures}))
