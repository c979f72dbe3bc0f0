// Wrapper module that pins the Gateway API release whose standard-channel CRDs the local cluster installs
// (build-binaries.sh gateway-api copies config/crd/standard/*.yaml into Tern's cache).
module tern.dev/localcluster/gatewayapi

go 1.26.0

require sigs.k8s.io/gateway-api v1.4.1
