// Azure Monitor alerts for the edge fleet: devices dropping off the hub, and telemetry drying up.
// Every metric and log category named here is checked against tests/infra/azure_catalog.py.
@description('Resource id of the IoT Hub the metric alerts watch.')
param iotHubId string

@description('Resource id of the Log Analytics workspace holding the IoT Hub resource logs.')
param workspaceId string

@description('Azure region of the log alert (the metric alerts are global).')
param location string

@description('Resource id of the action group every alert notifies.')
param actionGroupId string

@description('Alert when fewer devices than this stay connected (average over the window).')
@minValue(1)
param minConnectedDevices int

@description('Alert when fewer telemetry messages than this reach the hub within the window.')
@minValue(1)
param minTelemetryMessages int

@description('Alert when more device disconnects than this are logged within the window.')
@minValue(0)
param maxDisconnects int

@description('Alert when the controller\'s direct methods fail more often than this within the window (needs the metrics-collector layer).')
@minValue(0)
param maxMethodErrors int = 10

@description('Tags for every resource.')
param tags object

var hubMetricNamespace = 'Microsoft.Devices/IotHubs'

resource connectivityAlert 'Microsoft.Insights/metricAlerts@2018-03-01' = {
  name: 'edge-connectivity-failure'
  location: 'global'
  tags: tags
  properties: {
    description: 'Fewer IoT Edge devices are connected to the hub than expected.'
    severity: 1
    enabled: true
    scopes: [
      iotHubId
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    autoMitigate: true
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          criterionType: 'StaticThresholdCriterion'
          name: 'connectedDevicesBelowMinimum'
          metricNamespace: hubMetricNamespace
          metricName: 'connectedDeviceCount'
          operator: 'LessThan'
          threshold: minConnectedDevices
          timeAggregation: 'Average'
        }
      ]
    }
    actions: [
      {
        actionGroupId: actionGroupId
      }
    ]
  }
}

resource telemetryDropAlert 'Microsoft.Insights/metricAlerts@2018-03-01' = {
  name: 'edge-telemetry-drop'
  location: 'global'
  tags: tags
  properties: {
    description: 'Device-to-cloud telemetry reaching the hub fell below the expected rate.'
    severity: 2
    enabled: true
    scopes: [
      iotHubId
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    autoMitigate: true
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          criterionType: 'StaticThresholdCriterion'
          name: 'telemetryBelowMinimum'
          metricNamespace: hubMetricNamespace
          metricName: 'd2c.telemetry.ingress.success'
          operator: 'LessThan'
          threshold: minTelemetryMessages
          timeAggregation: 'Total'
        }
      ]
    }
    actions: [
      {
        actionGroupId: actionGroupId
      }
    ]
  }
}

// IoT Hub resource logs land in the AzureDiagnostics table (category Connections).
var disconnectQuery = 'AzureDiagnostics | where ResourceProvider == "MICROSOFT.DEVICES" and Category == "Connections" and OperationName == "deviceDisconnect"'

resource disconnectAlert 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: 'edge-device-disconnects'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'IoT Edge device disconnects'
    description: 'More device disconnects than expected were logged in the Connections category.'
    severity: 2
    enabled: true
    scopes: [
      workspaceId
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    autoMitigate: true
    criteria: {
      allOf: [
        {
          query: disconnectQuery
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: maxDisconnects
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    actions: {
      actionGroups: [
        actionGroupId
      ]
    }
  }
}

// IoT Edge's metrics-collector module (deployment/layers/metrics-collector.json) uploads every module's
// Prometheus metrics to the InsightsMetrics table; the names are the exporters' (README, "Metrics and health").
var methodErrorsQuery = 'InsightsMetrics | where Namespace == "prometheus" and Name == "energy_edge_controller_method_errors_total" | summarize errors = max(Val) - min(Val) by Computer, tostring(Tags)'

resource methodErrorsAlert 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: 'edge-controller-method-errors'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'Controller direct methods failing'
    description: 'An edge controller\'s direct methods to its assets failed more often than expected (refusals, timeouts).'
    severity: 2
    enabled: true
    scopes: [
      workspaceId
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    autoMitigate: true
    criteria: {
      allOf: [
        {
          query: methodErrorsQuery
          timeAggregation: 'Maximum'
          metricMeasureColumn: 'errors'
          operator: 'GreaterThan'
          threshold: maxMethodErrors
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    actions: {
      actionGroups: [
        actionGroupId
      ]
    }
  }
}

output alertIds array = [
  connectivityAlert.id
  telemetryDropAlert.id
  disconnectAlert.id
  methodErrorsAlert.id
]
