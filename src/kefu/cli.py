"""The ``kefu`` command: kefu's own commands and all of Django's management commands.

kefu serve            one process: HTTP + WebSocket + jobs + timers (embedded mode)
kefu web              HTTP + WebSocket only (scaled mode, several workers)
kefu worker           jobs + timers only (scaled mode)
kefu demo             load the demo company (idempotent)
kefu token create U   print a new API token for user U
kefu reencrypt        seal stored secrets again with the first KEFU_ENCRYPTION_KEY
kefu migrate / createsuperuser / shell / …   Django's commands
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kefu.config.settings")
    from kefu.config.env import ConfigError

    try:
        from django.core.management import execute_from_command_line

        execute_from_command_line(["kefu", *(sys.argv[1:] if argv is None else argv)])
    except ConfigError as exc:
        sys.stderr.write(f"kefu: configuration error: {exc}\n")
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
