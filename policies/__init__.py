"""The iot-tiers CrossGuard policy pack (self-contained: never imports components/)."""
