"""MQTT -> WebSocket bridge for IoT dashboards (the RealtimeTier's Fargate service).

Run it with ``python -m iot_tiers_runtime.bridge``; see :mod:`iot_tiers_runtime.bridge.config` for settings.
Modules: ``config`` (environment), ``auth`` (JWT), ``topics`` (MQTT matching), ``upstream``
(what to subscribe at the broker), ``fanout`` (routing, slow clients), ``mqtt`` (broker link),
``server`` (HTTP/WebSocket front), ``protocol`` (client frames), ``metrics`` (EMF), ``app``
(lifecycle). Nothing here imports Pulumi: it ships in a container image.
"""
