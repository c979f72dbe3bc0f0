/**
 * The built-in Kubernetes resource types the operator talks to, and how their REST paths are built.
 * A ResourceType is explicit (group, version, plural, scope) so that no request needs discovery.
 * The ModelRelease's own type is operator/api's MODEL_RELEASES (api/resource.ts).
 */

/** One API resource: enough to build its REST paths and its `apiVersion`/`kind`. */
export interface ResourceType {
  /** API group; '' for the core group. */
  group: string;
  version: string;
  kind: string;
  /** Lower-case plural as in the URL (`deployments`). */
  plural: string;
  namespaced: boolean;
}

/** `group/version`, or `version` for the core group. */
export function apiVersionOf(type: ResourceType): string {
  return type.group ? `${type.group}/${type.version}` : type.version;
}

/** `/api/v1` or `/apis/group/version`. */
export function groupVersionPath(type: ResourceType): string {
  return type.group ? `/apis/${type.group}/${type.version}` : `/api/${type.version}`;
}

/** The collection path, namespaced when `namespace` is given (all namespaces otherwise). */
export function collectionPath(type: ResourceType, namespace?: string): string {
  if (!type.namespaced || !namespace) return `${groupVersionPath(type)}/${type.plural}`;
  return `${groupVersionPath(type)}/namespaces/${encodeURIComponent(namespace)}/${type.plural}`;
}

/** The path of one object, or of its subresource (`status`). */
export function objectPath(type: ResourceType, namespace: string | undefined, name: string, subresource?: string): string {
  if (type.namespaced && !namespace) throw new Error(`${type.plural} ${name}: a namespaced resource needs a namespace`);
  const base = `${collectionPath(type, type.namespaced ? namespace : undefined)}/${encodeURIComponent(name)}`;
  return subresource ? `${base}/${subresource}` : base;
}

/** The name a resource is counted and logged by: `deployments`, `modelreleases/status`. */
export function resourceLabel(type: ResourceType, subresource?: string): string {
  return subresource ? `${type.plural}/${subresource}` : type.plural;
}

/** apps/v1 Deployment. */
export const DEPLOYMENTS: ResourceType = { group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments', namespaced: true };
/** v1 Service. */
export const SERVICES: ResourceType = { group: '', version: 'v1', kind: 'Service', plural: 'services', namespaced: true };
/** v1 Pod. */
export const PODS: ResourceType = { group: '', version: 'v1', kind: 'Pod', plural: 'pods', namespaced: true };
/** v1 ConfigMap. */
export const CONFIG_MAPS: ResourceType = { group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true };
/** v1 Namespace (cluster-scoped). */
export const NAMESPACES: ResourceType = { group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false };
/** discovery.k8s.io/v1 EndpointSlice. */
export const ENDPOINT_SLICES: ResourceType = {
  group: 'discovery.k8s.io',
  version: 'v1',
  kind: 'EndpointSlice',
  plural: 'endpointslices',
  namespaced: true,
};
/** gateway.networking.k8s.io/v1 HTTPRoute. */
export const HTTP_ROUTES: ResourceType = {
  group: 'gateway.networking.k8s.io',
  version: 'v1',
  kind: 'HTTPRoute',
  plural: 'httproutes',
  namespaced: true,
};
/** coordination.k8s.io/v1 Lease (leader election). */
export const LEASES: ResourceType = { group: 'coordination.k8s.io', version: 'v1', kind: 'Lease', plural: 'leases', namespaced: true };
/** events.k8s.io/v1 Event. */
export const EVENTS: ResourceType = { group: 'events.k8s.io', version: 'v1', kind: 'Event', plural: 'events', namespaced: true };
