/**
 * Work-queue keys: `namespace/name` for namespaced objects, `name` for cluster-scoped ones
 * (client-go's MetaNamespaceKeyFunc).
 */

/** The parts of an object a key is made from. */
export interface ObjectRefLike {
  metadata?: { namespace?: string; name?: string };
}

/** `namespace/name` (or `name` when the object has no namespace). Throws when the object has no name. */
export function objectKey(obj: ObjectRefLike): string {
  const name = obj.metadata?.name;
  if (!name) throw new Error('objectKey: object has no metadata.name');
  const ns = obj.metadata?.namespace;
  return ns ? `${ns}/${name}` : name;
}

/** Builds a key from its parts. */
export function makeKey(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

/** Splits a key back into namespace (undefined for cluster-scoped) and name. */
export function splitKey(key: string): { namespace: string | undefined; name: string } {
  const i = key.indexOf('/');
  return i < 0 ? { namespace: undefined, name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}
