// Parameters of the dev environment. Ids that differ per subscription come from the environment
// (the pipeline sets them), so nothing subscription-specific or secret is committed here.
using './main.bicep'

param environment = 'dev'
param namePrefix = 'energyedge'
param logRetentionInDays = 30
param publicNetworkAccess = 'Enabled'
param iotHubCapacity = 1
param registrySku = 'Standard'
param actionGroupId = readEnvironmentVariable('ACTION_GROUP_ID')
param edgePullPrincipalId = readEnvironmentVariable('EDGE_PULL_PRINCIPAL_ID', '')
param minConnectedDevices = 1
param minTelemetryMessagesPer15Min = 10
