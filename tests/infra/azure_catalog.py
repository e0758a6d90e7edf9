"""What Azure really offers, for the offline checks of infra/ (no Azure call can be made from a test).

Each list is copied from Microsoft's reference pages (dates say when); update them with those pages,
never to make a failing check pass:
- IoT Hub metrics: learn.microsoft.com/azure/azure-monitor/reference/supported-metrics/microsoft-devices-iothubs-metrics
  (generated from the Azure API, 2024-02-19), with the aggregations each metric supports.
- IoT Hub resource-log categories: .../reference/supported-logs/microsoft-devices-iothubs-logs (all land in the
  AzureDiagnostics table).
- API versions: learn.microsoft.com/azure/templates/<provider>/<type> (a subset of the versions listed there).
"""

from __future__ import annotations

_ALL = frozenset({"Average", "Minimum", "Maximum", "Total"})
_GAUGE = frozenset({"Average", "Minimum", "Maximum"})

# Metric name in the REST API -> aggregations Azure Monitor accepts for it (namespace Microsoft.Devices/IotHubs).
IOT_HUB_METRICS: dict[str, frozenset[str]] = {
    "c2d.commands.egress.abandon.success": _ALL,
    "c2d.commands.egress.complete.success": _ALL,
    "c2d.commands.egress.reject.success": _ALL,
    "c2d.methods.failure": _ALL,
    "c2d.methods.requestSize": _ALL,
    "c2d.methods.responseSize": _ALL,
    "c2d.methods.success": _ALL,
    "c2d.twin.read.failure": _ALL,
    "c2d.twin.read.size": _ALL,
    "c2d.twin.read.success": _ALL,
    "c2d.twin.update.failure": _ALL,
    "c2d.twin.update.size": _ALL,
    "c2d.twin.update.success": _ALL,
    "C2DMessagesExpired": _ALL,
    "configurations": _ALL,
    "connectedDeviceCount": _GAUGE,
    "d2c.endpoints.egress.builtIn.events": _ALL,
    "d2c.endpoints.egress.eventHubs": _ALL,
    "d2c.endpoints.latency.builtIn.events": _GAUGE,
    "d2c.telemetry.egress.dropped": _ALL,
    "d2c.telemetry.egress.fallback": _ALL,
    "d2c.telemetry.egress.invalid": _ALL,
    "d2c.telemetry.egress.orphaned": _ALL,
    "d2c.telemetry.egress.success": _ALL,
    "d2c.telemetry.ingress.allProtocol": _ALL,
    "d2c.telemetry.ingress.sendThrottle": _ALL,
    "d2c.telemetry.ingress.success": _ALL,
    "d2c.twin.read.failure": _ALL,
    "d2c.twin.read.success": _ALL,
    "d2c.twin.update.failure": _ALL,
    "d2c.twin.update.success": _ALL,
    "dailyMessageQuotaUsed": _GAUGE,
    "deviceDataUsage": _ALL,
    "deviceDataUsageV2": _ALL,
    "EventGridDeliveries": _ALL,
    "EventGridLatency": _GAUGE,
    "jobs.completed": _ALL,
    "jobs.failed": _ALL,
    "RoutingDeliveries": _ALL,
    "RoutingDeliveryLatency": _GAUGE,
    "totalDeviceCount": _GAUGE,
    "twinQueries.failure": _ALL,
    "twinQueries.success": _ALL,
}

IOT_HUB_METRIC_NAMESPACE = "Microsoft.Devices/IotHubs"

IOT_HUB_LOG_CATEGORIES = frozenset(
    {
        "C2DCommands",
        "C2DTwinOperations",
        "Configurations",
        "Connections",
        "D2CTwinOperations",
        "DeviceIdentityOperations",
        "DeviceStreams",
        "DeviceTelemetry",
        "DirectMethods",
        "DistributedTracing",
        "FileUploadOperations",
        "JobsOperations",
        "Routes",
        "TwinQueries",
    }
)

# Resource type -> API versions published for it (GA and preview) that this project may use.
API_VERSIONS: dict[str, frozenset[str]] = {
    "Microsoft.Devices/IotHubs": frozenset({"2021-07-02", "2022-04-30-preview", "2023-06-30"}),
    "Microsoft.ContainerRegistry/registries": frozenset({"2023-01-01-preview", "2023-07-01"}),
    "Microsoft.ContainerRegistry/registries/scopeMaps": frozenset({"2023-01-01-preview", "2023-07-01"}),
    "Microsoft.ContainerRegistry/registries/tokens": frozenset({"2023-01-01-preview", "2023-07-01"}),
    "Microsoft.OperationalInsights/workspaces": frozenset({"2020-08-01", "2022-10-01"}),
    "Microsoft.Insights/diagnosticSettings": frozenset({"2021-05-01-preview"}),
    "Microsoft.Insights/metricAlerts": frozenset({"2018-03-01"}),
    "Microsoft.Insights/scheduledQueryRules": frozenset({"2021-08-01", "2023-03-15-preview", "2023-12-01"}),
    "Microsoft.Authorization/roleAssignments": frozenset({"2022-04-01"}),
}
