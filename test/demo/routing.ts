/**
 * How the demo gateway picks a pod for each request, the way a real gateway would (pure):
 * - replicas router: round-robin over the ready endpoints of the release Service's EndpointSlices
 *   (the ready-pod split is the traffic split);
 * - gatewayAPI router: first a backend Service by the HTTPRoute's backendRefs weights, then
 *   round-robin over that Service's ready endpoints.
 */

/** The part of a discovery.k8s.io/v1 EndpointSlice the gateway reads. */
export interface EndpointSliceLike {
  metadata?: { labels?: Record<string, string>; deletionTimestamp?: string };
  endpoints?: Array<{ addresses?: string[]; conditions?: { ready?: boolean; terminating?: boolean }; targetRef?: { kind?: string; name?: string } }> | null;
  ports?: Array<{ name?: string; port?: number; protocol?: string }> | null;
}

/** The part of a gateway.networking.k8s.io/v1 HTTPRoute the gateway reads. */
export interface HttpRouteLike {
  spec?: { rules?: Array<{ backendRefs?: Array<{ name: string; port?: number; weight?: number }> }> };
}

/** One pod the gateway may send a request to. */
export interface Backend {
  address: string;
  port: number;
  /** The pod behind the address (EndpointSlice targetRef), when known. */
  pod?: string;
  /** The Service it was found through. */
  service: string;
}

/** A weighted group of backends (one per backend Service; a single group for the replicas router). */
export interface Pool {
  service: string;
  weight: number;
  backends: Backend[];
}

/** Label the EndpointSlice controller puts on every slice: the Service it belongs to. */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

/** The ready (not terminating) endpoints of `service`, sorted so that round-robin is stable. */
export function readyBackends(slices: readonly EndpointSliceLike[], service: string): Backend[] {
  const out: Backend[] = [];
  for (const slice of slices) {
    if (slice.metadata?.labels?.[SERVICE_NAME_LABEL] !== service || slice.metadata.deletionTimestamp) continue;
    const port = slice.ports?.find((p) => (p.protocol ?? 'TCP') === 'TCP' && p.port !== undefined)?.port;
    if (port === undefined) continue;
    for (const ep of slice.endpoints ?? []) {
      // A missing `ready` means ready (discovery.k8s.io/v1 semantics); terminating endpoints get no new requests.
      if (ep.conditions?.ready === false || ep.conditions?.terminating === true) continue;
      for (const address of ep.addresses ?? []) {
        out.push({ address, port, service, ...(ep.targetRef?.name ? { pod: ep.targetRef.name } : {}) });
      }
    }
  }
  return out.sort((a, b) => `${a.address}:${a.port}`.localeCompare(`${b.address}:${b.port}`));
}

/** The weighted backend Services of the route's first rule (weight defaults to 1, as in the Gateway API). */
export function routeBackendRefs(route: HttpRouteLike): Array<{ service: string; weight: number }> {
  const refs = route.spec?.rules?.[0]?.backendRefs ?? [];
  return refs.map((r) => ({ service: r.name, weight: r.weight ?? 1 }));
}

/** The pools for the replicas router: one pool, the release Service's ready endpoints. */
export function replicasPools(slices: readonly EndpointSliceLike[], service: string): Pool[] {
  return [{ service, weight: 1, backends: readyBackends(slices, service) }];
}

/** The pools for the gatewayAPI router: one per backendRef, with its weight. */
export function gatewayPools(slices: readonly EndpointSliceLike[], route: HttpRouteLike): Pool[] {
  return routeBackendRefs(route).map(({ service, weight }) => ({ service, weight, backends: readyBackends(slices, service) }));
}

/** Round-robin state, one counter per pool. */
export type Cursor = Map<string, number>;

/**
 * The backend for the next request: a pool drawn by weight with `random` in [0, 1), then the next
 * backend of that pool round-robin. Undefined when the drawn pool has no ready backend (the gateway
 * answers 503, as Envoy does for "no healthy upstream"), or when every weight is 0.
 */
export function pickBackend(pools: readonly Pool[], random: number, cursor: Cursor, exclude?: Backend): Backend | undefined {
  const total = pools.reduce((s, p) => s + Math.max(0, p.weight), 0);
  if (total <= 0) return undefined;
  let at = random * total;
  let pool = pools[pools.length - 1];
  for (const p of pools) {
    if (p.weight <= 0) continue;
    if (at < p.weight) {
      pool = p;
      break;
    }
    at -= p.weight;
  }
  if (!pool) return undefined;
  const choices = exclude && pool.backends.length > 1 ? pool.backends.filter((b) => b.address !== exclude.address || b.port !== exclude.port) : pool.backends;
  if (choices.length === 0) return undefined;
  const n = cursor.get(pool.service) ?? 0;
  cursor.set(pool.service, n + 1);
  return choices[n % choices.length];
}
