/** Comparing resourceVersions: on the apiserver they are etcd revisions (decimal integers). */

/** Whether resourceVersion `a` is older than `b` (both etcd revisions; unknown forms count as not older). */
export function isOlder(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b || !/^\d+$/.test(a) || !/^\d+$/.test(b)) return false;
  return BigInt(a) < BigInt(b);
}
