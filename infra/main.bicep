// Energy Edge Controller: the Azure side of one environment (dev, staging or prod) in one resource group.
// Deploy: az deployment group create -g <rg> --template-file infra/main.bicep --parameters infra/main.bicepparam
// No parameter or output carries a secret: device keys, token passwords and workspace keys stay in Azure.
targetScope = 'resourceGroup'

@description('Environment the resources belong to; part of every name.')
@allowed([
  'dev'
  'staging'
  'prod'
])
param environmentName string

@description('Azure region for every regional resource.')
param location string = resourceGroup().location

@description('Short lowercase prefix of every resource name.')
@minLength(2)
@maxLength(12)
param namePrefix string = 'energyedge'

@description('Days Log Analytics keeps the IoT Hub logs.')
@minValue(30)
@maxValue(730)
param logRetentionInDays int = 30

@description('Enabled, or Disabled to reach hub and registry only through private endpoints.')
@allowed([
  'Enabled'
  'Disabled'
])
param publicNetworkAccess string = 'Enabled'

@description('Number of IoT Hub S1 units.')
@minValue(1)
param iotHubCapacity int = 1

@description('Container registry tier (Premium is needed for publicNetworkAccess Disabled).')
@allowed([
  'Basic'
  'Standard'
  'Premium'
])
param registrySku string = 'Standard'

@description('Object id of the service principal edge devices pull images with (gets AcrPull); empty for none.')
param edgePullPrincipalId string = ''

@description('Also create a pull-only registry token for edge devices (password generated out of band).')
param createEdgePullToken bool = true

@description('Resource id of the action group the alerts notify.')
param actionGroupId string

@description('Connectivity alert: fewer connected devices than this.')
@minValue(1)
param minConnectedDevices int = 1

@description('Telemetry-drop alert: fewer device-to-cloud messages than this in 15 minutes.')
@minValue(1)
param minTelemetryMessagesPer15Min int = 10

@description('Disconnect log alert: more disconnects than this in 15 minutes.')
@minValue(0)
param maxDisconnectsPer15Min int = 5

@description('Tags for every resource.')
param tags object = {
  project: 'energy-edge'
  environment: environmentName
}

var suffix = uniqueString(resourceGroup().id)

module logs 'modules/loganalytics.bicep' = {
  name: 'loganalytics'
  params: {
    name: 'log-${namePrefix}-${environmentName}'
    location: location
    retentionInDays: logRetentionInDays
    tags: tags
  }
}

module hub 'modules/iothub.bicep' = {
  name: 'iothub'
  params: {
    name: 'iot-${namePrefix}-${environmentName}-${take(suffix, 6)}'
    location: location
    capacity: iotHubCapacity
    publicNetworkAccess: publicNetworkAccess
    workspaceId: logs.outputs.id
    tags: tags
  }
}

module registry 'modules/acr.bicep' = {
  name: 'acr'
  params: {
    name: take('acr${namePrefix}${environmentName}${suffix}', 50)
    location: location
    sku: registrySku
    publicNetworkAccess: publicNetworkAccess
    pullPrincipalId: edgePullPrincipalId
    createPullToken: createEdgePullToken
    tags: tags
  }
}

module alerts 'modules/alerts.bicep' = {
  name: 'alerts'
  params: {
    iotHubId: hub.outputs.id
    workspaceId: logs.outputs.id
    location: location
    actionGroupId: actionGroupId
    minConnectedDevices: minConnectedDevices
    minTelemetryMessages: minTelemetryMessagesPer15Min
    maxDisconnects: maxDisconnectsPer15Min
    tags: tags
  }
}

@description('IoT Hub name (pipeline variable IOT_HUB_NAME).')
output iotHubName string = hub.outputs.name

@description('Registry login server (pipeline variable ACR_LOGIN_SERVER).')
output registryLoginServer string = registry.outputs.loginServer

@description('Resource id of the Log Analytics workspace.')
output workspaceId string = logs.outputs.id

@description('Name of the edge pull token, empty when none was created.')
output edgePullTokenName string = registry.outputs.pullTokenName
