"""gunicorn reads this file from the working directory: the registry's check of the real
number of workers (``--workers``, ``WEB_CONCURRENCY`` or this file), before any starts."""

from __future__ import annotations

import sys


def on_starting(server) -> None:
    from config import ConfigError, config_from_env

    try:
        config_from_env().check_workers(server.cfg.workers)
    except ConfigError as exc:
        sys.exit(f"registry: {exc}")
