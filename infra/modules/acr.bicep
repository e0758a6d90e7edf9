// Azure Container Registry for the one energy_edge image. The admin user stays disabled: the edge
// device pulls either as a service principal holding AcrPull, or with a repository-scoped token.
@description('Registry name (5-50 alphanumerics, globally unique).')
@minLength(5)
@maxLength(50)
param name string

@description('Azure region.')
param location string

@description('Registry tier. Disabling public network access needs Premium.')
@allowed([
  'Basic'
  'Standard'
  'Premium'
])
param sku string

@description('Enabled, or Disabled to reach the registry only through private endpoints (Premium).')
@allowed([
  'Enabled'
  'Disabled'
])
param publicNetworkAccess string

@description('Object id of the service principal the edge device pulls with; empty for none.')
param pullPrincipalId string

@description('Create a pull-only token (scope map _repositories_pull); its passwords are generated out of band.')
param createPullToken bool

@description('Tags for every resource.')
param tags object

var edgePullTokenName = 'edge-pull'

// Built-in role "AcrPull": pull images, nothing else.
var acrPullRoleDefinitionId = subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '7f951dda-4ed3-4680-a7ca-43fe172d538d')

resource registry 'Microsoft.ContainerRegistry/registries@2023-07-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: sku
  }
  properties: {
    adminUserEnabled: false
    anonymousPullEnabled: false
    publicNetworkAccess: publicNetworkAccess
  }
}

resource edgePull 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(pullPrincipalId)) {
  name: guid(registry.id, pullPrincipalId, acrPullRoleDefinitionId)
  scope: registry
  properties: {
    roleDefinitionId: acrPullRoleDefinitionId
    principalId: pullPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// The registry's built-in scope map that only allows content/read on every repository.
resource pullScopeMap 'Microsoft.ContainerRegistry/registries/scopeMaps@2023-07-01' existing = {
  parent: registry
  name: '_repositories_pull'
}

resource pullToken 'Microsoft.ContainerRegistry/registries/tokens@2023-07-01' = if (createPullToken) {
  parent: registry
  name: edgePullTokenName
  properties: {
    scopeMapId: pullScopeMap.id
    status: 'enabled'
  }
}

output name string = registry.name

output loginServer string = registry.properties.loginServer

@description('Name of the pull token (empty when none); generate its password with az acr token credential generate.')
output pullTokenName string = createPullToken ? edgePullTokenName : ''
