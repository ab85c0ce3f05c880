"""Subcommands of ``tiers``; see :mod:`iot_tiers.cli`."""
