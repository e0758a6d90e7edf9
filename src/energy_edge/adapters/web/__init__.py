"""The telemetry module's web endpoint: /metrics, /healthz and the operator's live page."""
