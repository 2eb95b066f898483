from __future__ import annotations

import importlib
import json
import pkgutil
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kefu.core.bench import BENCHES


def _load() -> None:
    """Import every app's ``benches`` module and its ``*_bench`` modules (each registers with ``@bench``)."""
    for config in apps.get_app_configs():
        if config.name.startswith("kefu."):
            try:
                importlib.import_module(f"{config.name}.benches")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.benches":
                    raise
            for module in pkgutil.iter_modules([config.path]):
                if module.name.endswith("_bench"):
                    importlib.import_module(f"{config.name}.{module.name}")


class Command(BaseCommand):
    help = _("Run a benchmark and print one JSON object (medians, and a ratio against a baseline).")

    def add_arguments(self, parser: Any) -> None:
        _load()
        sub = parser.add_subparsers(dest="bench", required=True)
        for item in BENCHES.values():
            p = sub.add_parser(item.name, help=item.help)
            for name, (kind, default, text) in item.options.items():
                p.add_argument(f"--{name.replace('_', '-')}", dest=name, type=kind, default=default, help=text)

    def handle(self, *args: Any, bench: str, **options: Any) -> None:
        item = BENCHES.get(bench)
        if item is None:
            raise CommandError(f"unknown benchmark {bench!r}")
        values = {name: options[name] for name in item.options}
        self.stdout.write(json.dumps(item.fn(**values), ensure_ascii=False))
