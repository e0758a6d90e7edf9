// Parameters of an environment, dev by default. ENVIRONMENT and the ids that differ per subscription come
// from environment variables (the pipeline's variables), so nothing subscription-specific or secret is committed.
using './main.bicep'

param environmentName = readEnvironmentVariable('ENVIRONMENT', 'dev')
param namePrefix = 'energyedge'
param logRetentionInDays = 30
param publicNetworkAccess = 'Enabled'
param iotHubCapacity = 1
param registrySku = 'Standard'
param actionGroupId = readEnvironmentVariable('ACTION_GROUP_ID')
param edgePullPrincipalId = readEnvironmentVariable('EDGE_PULL_PRINCIPAL_ID', '')
param minConnectedDevices = 1
param minTelemetryMessagesPer15Min = 10
