/**
 * The resource quantities of a pod spec (every container's requests and limits, the pod's own resources
 * and overhead, emptyDir sizeLimits) rewritten by one function: the Deployment comparison reads them by
 * value (deployment.ts's DEPLOYMENT_KIND), so that 1Gi read back for 1024Mi never counts as a change, and
 * the in-memory apiserver stores them canonical as the real one does. `canonicalAt` is what the builders
 * write one spec.serving quantity with (api/quantity.ts's canonical form). Pure: returns copies.
 */
import { canonicalQuantity, QuantityError } from '../api/quantity.js';

type Json = Record<string, unknown>;
/** Rewrites one quantity; `field` is its path inside the pod spec (`containers[tern-server].resources.limits.memory`). */
export type QuantityRewrite = (text: string, field: string) => string;

const isMap = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const CONTAINER_LISTS = ['containers', 'initContainers', 'ephemeralContainers'] as const;

function rewriteMap(map: unknown, field: string, rewrite: QuantityRewrite): unknown {
  if (!isMap(map)) return map;
  return Object.fromEntries(Object.entries(map).map(([k, v]) => [k, typeof v === 'string' ? rewrite(v, `${field}.${k}`) : v]));
}

function rewriteResources(resources: unknown, field: string, rewrite: QuantityRewrite): unknown {
  if (!isMap(resources)) return resources;
  const out: Json = { ...resources };
  for (const k of ['requests', 'limits'] as const) if (k in out) out[k] = rewriteMap(out[k], `${field}.${k}`, rewrite);
  return out;
}

/** `podSpec` with every quantity passed through `rewrite` (anything else, and a spec of another shape, unchanged). */
export function rewritePodQuantities<T>(podSpec: T, rewrite: QuantityRewrite): T {
  if (!isMap(podSpec)) return podSpec;
  const out: Json = { ...podSpec };
  for (const list of CONTAINER_LISTS) {
    const containers = out[list];
    if (!Array.isArray(containers)) continue;
    out[list] = containers.map((c: unknown) =>
      isMap(c) && 'resources' in c ? { ...c, resources: rewriteResources(c['resources'], `${list}[${String(c['name'])}].resources`, rewrite) } : c,
    );
  }
  if ('resources' in out) out['resources'] = rewriteResources(out['resources'], 'resources', rewrite);
  if ('overhead' in out) out['overhead'] = rewriteMap(out['overhead'], 'overhead', rewrite);
  if (Array.isArray(out['volumes'])) {
    out['volumes'] = out['volumes'].map((v: unknown) => {
      if (!isMap(v) || !isMap(v['emptyDir']) || typeof v['emptyDir']['sizeLimit'] !== 'string') return v;
      return { ...v, emptyDir: { ...v['emptyDir'], sizeLimit: rewrite(v['emptyDir']['sizeLimit'], `volumes[${String(v['name'])}].emptyDir.sizeLimit`) } };
    });
  }
  return out as T;
}

/** A workload's (`spec.template.spec`) or a Pod's (`spec`) quantities rewritten; other objects unchanged. */
export function rewriteObjectQuantities<T>(obj: T, rewrite: QuantityRewrite): T {
  if (!isMap(obj) || !isMap(obj['spec'])) return obj;
  const spec = obj['spec'];
  if (obj['kind'] === 'Pod') return { ...obj, spec: rewritePodQuantities(spec, rewrite) };
  if (!isMap(spec['template']) || !isMap(spec['template']['spec'])) return obj;
  return { ...obj, spec: { ...spec, template: { ...spec['template'], spec: rewritePodQuantities(spec['template']['spec'], rewrite) } } };
}

/**
 * A quantity in canonical form; an invalid or negative one (no resource or size may be) is an error naming
 * `field` (where in spec.serving it came from) rather than an apply the apiserver refuses.
 */
export function canonicalAt(text: string, field: string): string {
  let canonical: string;
  try {
    canonical = canonicalQuantity(text);
  } catch (err) {
    if (err instanceof QuantityError) throw new Error(`${field}: ${err.message}`);
    throw err;
  }
  if (canonical.startsWith('-')) throw new Error(`${field}: "${text}" is negative; a resource quantity must be 0 or more`);
  return canonical;
}
