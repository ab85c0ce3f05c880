"""Which filters the bridge subscribes to at the broker.

The bridge subscribes upstream only to what its connected dashboards need (plus the
configured base filters), so N tasks don't each pull the whole firehose. Filters are
reference-counted by the fan-out (a filter is *wanted* while at least one client holds it);
this module turns the set of wanted filters into the set to subscribe, the *cover*:

- every wanted filter is subsumed by exactly one cover filter, and
- no two cover filters overlap (no topic matches both).

The second rule is there because brokers (Mosquitto, AWS IoT Core) send one copy of a
message per matching subscription, and AWS IoT Core has no subscription identifiers to tell
the copies apart: overlapping upstream subscriptions would reach dashboards twice. So a
wanted filter covered by a broader one is not subscribed (``devices/d1/telemetry`` under
``devices/+/telemetry``), and two that partly overlap are replaced by their join
(``site/+/temp`` + ``site/a/#`` -> ``site/+/#``). A join may pull a few topics nobody wants;
the fan-out's own routing drops them. Routing to dashboards never depends on the cover.

Cost: O(size of the cover) per added filter, O(wanted filters) per removed one; these are
distinct filters, not clients.
"""

from __future__ import annotations

from .topics import filter_join, filter_subsumes, filters_overlap


class UpstreamFilters:
    """Wanted filters and their non-overlapping cover.

    Args:
        base_filters: filters that are always wanted (``BRIDGE_BASE_FILTERS``, default none).
    """

    def __init__(self, base_filters: tuple[str, ...] | list[str] = ()) -> None:
        self._base = frozenset(base_filters)
        self._wanted: set[str] = set()
        self._cover: set[str] = set()
        for filt in sorted(self._base):
            self.add(filt)

    @property
    def cover(self) -> frozenset[str]:
        """The filters to be subscribed at the broker right now."""
        return frozenset(self._cover)

    @property
    def wanted(self) -> frozenset[str]:
        return frozenset(self._wanted)

    def _absorb(self, filt: str) -> None:
        if any(filter_subsumes(c, filt) for c in self._cover):
            return
        grown = filt
        while True:
            hits = [c for c in self._cover if filters_overlap(c, grown)]
            if not hits:
                break
            for c in hits:
                self._cover.discard(c)
                if not filter_subsumes(grown, c):
                    grown = filter_join(grown, c)
        self._cover.add(grown)

    def add(self, filt: str) -> bool:
        """Mark ``filt`` wanted; return True if the cover changed."""
        if filt in self._wanted:
            return False
        self._wanted.add(filt)
        before = frozenset(self._cover)
        self._absorb(filt)
        return self._cover != before

    def remove(self, filt: str) -> bool:
        """Mark ``filt`` no longer wanted (base filters stay); return True if the cover changed."""
        if filt in self._base or filt not in self._wanted:
            return False
        self._wanted.discard(filt)
        before = frozenset(self._cover)
        holder = next(c for c in self._cover if filter_subsumes(c, filt))
        self._cover.discard(holder)
        # Rebuild only what the holder covered: it may shrink back to narrower filters.
        for other in sorted(self._wanted):
            if filter_subsumes(holder, other):
                self._absorb(other)
        return self._cover != before
