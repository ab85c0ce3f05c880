"""iot-tiers CrossGuard policies. The decision rule lives in :mod:`.decision`."""
