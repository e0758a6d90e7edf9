// IoT Hub S1 for the edge sites, with its resource logs streamed to Log Analytics.
@description('IoT Hub name (globally unique).')
param name string

@description('Azure region.')
param location string

@description('Number of S1 units (400,000 messages a day each).')
@minValue(1)
param capacity int

@description('Enabled, or Disabled to reach the hub only through private endpoints.')
@allowed([
  'Enabled'
  'Disabled'
])
param publicNetworkAccess string

@description('Resource id of the Log Analytics workspace that receives the diagnostics.')
param workspaceId string

@description('Days device-to-cloud messages stay in the built-in Event Hub endpoint.')
@minValue(1)
@maxValue(7)
param messageRetentionInDays int = 1

@description('Tags for every resource.')
param tags object

// The resource log categories the operations team reads; tests check each is a real IoT Hub category.
var diagnosticCategories = [
  'Connections'
  'DeviceTelemetry'
  'D2CTwinOperations'
  'DirectMethods'
  'Routes'
]

resource hub 'Microsoft.Devices/IotHubs@2023-06-30' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: 'S1'
    capacity: capacity
  }
  properties: {
    minTlsVersion: '1.2'
    publicNetworkAccess: publicNetworkAccess
    eventHubEndpoints: {
      events: {
        retentionTimeInDays: messageRetentionInDays
        partitionCount: 4
      }
    }
    routing: {
      fallbackRoute: {
        name: '$fallback'
        source: 'DeviceMessages'
        condition: 'true'
        endpointNames: [
          'events'
        ]
        isEnabled: true
      }
    }
  }
}

resource diagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: hub
  properties: {
    workspaceId: workspaceId
    logs: [for category in diagnosticCategories: {
      category: category
      enabled: true
    }]
    metrics: [
      {
        category: 'AllMetrics'
        enabled: true
      }
    ]
  }
}

output name string = hub.name

output id string = hub.id

@description('Host name devices connect to (not a secret; connection strings are never output).')
output hostName string = hub.properties.hostName
