"""The workload profile tags every compute resource carries (ENGINEERING.md, "Contracts")."""

from __future__ import annotations

from typing import Mapping, Optional

from iot_tiers_policy.decision import Service, WorkloadProfile, place


def workload_tags(profile: WorkloadProfile, *, expect: Service,
                  extra: Optional[Mapping[str, str]] = None) -> dict[str, str]:
    """Tags declaring ``profile``, after checking the decision rule agrees with ``expect``.

    A tier that would build a workload the rule places elsewhere is a bug in the
    tier (or a setting that changed the workload's nature); failing here, at
    program time, is cheaper than failing the policy pack at preview time.
    """
    placement = place(profile)
    if placement.service is not expect:
        raise ValueError(
            f"this workload belongs on {placement.service.label}, not {expect.label}: "
            f"{placement.explain()}")
    return {**profile.to_tags(), **dict(extra or {})}
