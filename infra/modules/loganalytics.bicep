// Log Analytics workspace: the one place IoT Hub diagnostics land, queried by the log alerts.
@description('Workspace name.')
param name string

@description('Azure region.')
param location string

@description('Days the logs are kept (30 is included in the pay-as-you-go price).')
@minValue(30)
@maxValue(730)
param retentionInDays int

@description('Tags for every resource.')
param tags object

resource workspace 'Microsoft.OperationalInsights/workspaces@2022-10-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: retentionInDays
    features: {
      enableLogAccessUsingOnlyResourcePermissions: true
    }
  }
}

@description('Resource id of the workspace (not a secret; the shared keys are never output).')
output id string = workspace.id

@description('Workspace (customer) id used by KQL clients.')
output customerId string = workspace.properties.customerId

output name string = workspace.name
