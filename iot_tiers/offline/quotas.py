"""Glue between the capturing harness and the quota report, and the report's text.

``quota_summary(capture)`` assesses what a captured stack needs of the service quotas a new account
starts with (:mod:`iot_tiers_policy.quotas`, the code the pack's advisory runs) and returns it as
JSON; ``tiers preview`` prints :func:`report_lines` of it and carries it under ``"quotas"``.
"""

from __future__ import annotations

import textwrap
from typing import Any

from iot_tiers_policy.quotas import assess

from .harness import Capture


def quota_summary(capture: Capture) -> dict[str, Any]:
    """The quota report of ``capture`` as JSON, or ``{"error": reason}``: the preview never fails on it."""
    try:
        return assess(capture.resources, region=capture.config.get("aws:region")).as_json()
    except Exception as exc:  # the report is information; it must not cost the policy verdicts
        return {"error": f"{type(exc).__name__}: {exc}"}


def _amount(x: float) -> str:
    return f"{x:,g}"


def report_lines(quotas: dict[str, Any], width: int = 100) -> list[str]:
    """The readable report: one entry per quota the stack needs above a new account's value, with how
    it was computed and the command that requests it; a line saying none exceed otherwise."""
    if "error" in quotas:
        return [f"Service quotas: not assessed ({quotas['error']})"]
    where = f" in {quotas['region']}" if quotas.get("region") else ""
    exceeding = quotas["exceeding"]
    if not exceeding:
        lines = [f"Service quotas{where}: none of the {len(quotas['needs'])} the stack uses exceed a new "
                 "account's defaults"]
    else:
        lines = [f"Service quotas{where} above a new account's defaults ({len(exceeding)}): request them "
                 "before `pulumi up`"]
    wrap = textwrap.TextWrapper(width=width, initial_indent="      ", subsequent_indent="        ",
                                break_on_hyphens=False)
    for need in exceeding:
        new = f", new accounts may have {_amount(need['newAccount'])}" if need["newAccount"] is not None else ""
        lines.append(f"  ! {need['title']} ({need['serviceCode']} {need['quotaCode']}): need "
                     f"{_amount(need['need'])} {need['unit']}; default {_amount(need['default'])}{new}")
        lines.extend(wrap.wrap(f"how: {need['how']}"))
        if need["ifShort"]:
            lines.extend(wrap.wrap(f"if short: {need['ifShort']}"))
        lines.append(f"      {need['request']}")
    for skipped in quotas["notAssessed"]:
        lines.extend(textwrap.wrap(f"? not assessed: {skipped['resource']} ({skipped['what']}): {skipped['reason']}",
                                   width=width, initial_indent="  ", subsequent_indent="      "))
    return lines + [""]
