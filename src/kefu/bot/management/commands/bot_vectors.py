"""``kefu bot_vectors``: rebuild the shipped vectors of the default articles and of the bot's similar
questions (``kefu.knowledge.shipped_vectors``, ``kefu.bot.phrasings``); ``--check`` only says whether the
committed files still match the articles' and phrasings' text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Rebuild (or --check) the shipped article and similar-question vectors of the FAQ bot."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--check", action="store_true", help="only check the committed files")

    def handle(self, *args: Any, check: bool, **options: Any) -> None:
        import kefu.bot
        import kefu.knowledge
        from kefu.bot import phrasings
        from kefu.knowledge import shipped_vectors

        if check:
            stale = stale_entries()
            if stale:
                raise CommandError("stale or missing shipped vectors: " + ", ".join(stale))
            self.stdout.write("shipped vectors match the articles and phrasings")
            return
        data = shipped_vectors.build(Path(kefu.knowledge.__file__).parent / shipped_vectors.FOLDER)
        count = phrasings.build(Path(kefu.bot.__file__).parent / "data")
        self.stdout.write(f"{len(data['articles'])} article vectors, {count} similar-question vectors written")


def stale_entries() -> list[str]:
    """Keys of shipped articles and phrasings whose committed vector does not match their text."""
    from kefu.bot import phrasings
    from kefu.knowledge import shipped_vectors

    stale = [k for k, text in shipped_vectors.default_passages().items() if shipped_vectors.vector_for(k, text) is None]
    shipped = phrasings.shipped_vectors()
    texts = [t for items in phrasings.questions().values() for t in items]
    stale += [t for t in texts if shipped_vectors.text_hash(t) not in shipped]
    return stale
