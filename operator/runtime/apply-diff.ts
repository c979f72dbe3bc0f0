/**
 * Does the live object already carry every field the operator would apply? A pure check that lets
 * the reconciler skip a server-side apply that would change nothing, so that a converged, idle
 * release causes zero API writes (an SSA no-op keeps the resourceVersion but is still a request).
 *
 * The comparison is a subset test: the apiserver adds defaults and other managers add fields, so
 * only what the operator sends must match. Lists of objects that all have a `name` (containers,
 * ports, env) are matched by name, like SSA's merge keys; other lists positionally and with equal
 * length (SSA replaces atomic lists whole). Quantities written as numbers match their string form
 * (`nvidia.com/gpu: 1` is stored as "1").
 */

type Json = unknown;

function isPlainObject(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function allNamed(list: Json[]): list is Array<Record<string, Json>> {
  return list.length > 0 && list.every((e) => isPlainObject(e) && typeof e['name'] === 'string');
}

/** True when every field of `desired` is present and equal in `live` (see the file header for the rules). */
export function isSubset(desired: Json, live: Json): boolean {
  if (desired === undefined) return true;
  if (desired === null) return live === null || live === undefined;
  if (Array.isArray(desired)) {
    if (!Array.isArray(live)) return desired.length === 0 && live === undefined;
    if (allNamed(desired) && live.every((e) => isPlainObject(e))) {
      const byName = new Map((live as Array<Record<string, Json>>).map((e) => [e['name'], e]));
      return desired.every((d) => byName.has(d['name']) && isSubset(d, byName.get(d['name'])));
    }
    return desired.length === live.length && desired.every((d, i) => isSubset(d, live[i]));
  }
  if (isPlainObject(desired)) {
    if (!isPlainObject(live)) return Object.keys(desired).length === 0 && live === undefined;
    return Object.entries(desired).every(([k, v]) => isSubset(v, live[k]));
  }
  if (typeof desired === 'number' && typeof live === 'string') return String(desired) === live;
  return desired === live;
}

/**
 * True when applying `desired` over `live` would change nothing the operator owns. Ignores
 * apiVersion/kind and the metadata the server owns (resourceVersion, managedFields, uid, ...).
 */
export function appliedFieldsMatch(desired: Record<string, Json>, live: Record<string, Json> | undefined): boolean {
  if (!live) return false;
  const { apiVersion: _a, kind: _k, metadata, ...rest } = desired;
  if (!isSubset(rest, live)) return false;
  if (!isPlainObject(metadata)) return true;
  const { resourceVersion: _rv, managedFields: _mf, uid: _u, creationTimestamp: _c, generation: _g, ...owned } = metadata;
  return isSubset(owned, live['metadata']);
}
