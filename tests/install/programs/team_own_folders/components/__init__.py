"""The team's own building blocks (nothing to do with iot-tiers' components/)."""
