"""``python -m iot_tiers_runtime.bridge``: run the MQTT -> WebSocket bridge.

``python -m iot_tiers_runtime.bridge --env-table`` prints the environment variable table (markdown).
Exit codes: 0 after a graceful shutdown, 2 for a configuration error, 1 otherwise.
"""

from __future__ import annotations

import asyncio
import logging
import sys


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    from .config import BridgeConfig, ConfigError, env_table_markdown

    if argv[:1] == ["--env-table"]:
        print(env_table_markdown())
        return 0
    if argv:
        print("usage: python -m iot_tiers_runtime.bridge [--env-table]", file=sys.stderr)
        return 2
    try:
        config = BridgeConfig.from_env()
    except ConfigError as exc:
        print(f"iot_tiers_runtime.bridge: configuration error: {exc}", file=sys.stderr)
        return 2
    # Logs go to stderr; stdout carries only the EMF metric lines.
    logging.basicConfig(
        stream=sys.stderr,
        level=config.log_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if config.log_level != "DEBUG":
        logging.getLogger("websockets").setLevel(logging.WARNING)
        logging.getLogger("gmqtt").setLevel(logging.ERROR)  # it logs every reconnect attempt as WARNING

    from .app import Bridge

    async def run() -> None:
        await Bridge(config).run()

    try:
        asyncio.run(run())
    except Exception:
        logging.getLogger("iot_tiers_runtime.bridge").exception("bridge failed")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
