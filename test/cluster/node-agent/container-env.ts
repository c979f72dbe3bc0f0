// Builds a container's environment like the kubelet does for the fields we support: `env` values,
// `valueFrom` (fieldRef, configMapKeyRef, secretKeyRef) and `envFrom` (configMapRef, secretRef),
// then the agent's own variables (POD_IP, TERN_HOST, KUBECONFIG) which always win.
import type { V1Container, V1Pod } from '@kubernetes/client-node';

/** Reads a ConfigMap's or Secret's data (Secret values already base64-decoded); undefined when absent. */
export type DataLookup = (kind: 'ConfigMap' | 'Secret', namespace: string, name: string) => Promise<Record<string, string> | undefined>;

/** Value of a downward-API fieldRef path. */
export function fieldRefValue(pod: V1Pod, fieldPath: string, podIP: string): string {
  const meta = pod.metadata ?? {};
  switch (fieldPath) {
    case 'metadata.name': return meta.name ?? '';
    case 'metadata.namespace': return meta.namespace ?? '';
    case 'metadata.uid': return meta.uid ?? '';
    case 'spec.nodeName': return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName': return pod.spec?.serviceAccountName ?? '';
    case 'status.podIP': case 'status.hostIP': return podIP;
  }
  const m = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(fieldPath);
  if (m) return (m[1] === 'labels' ? meta.labels : meta.annotations)?.[m[2]!] ?? '';
  throw new Error(`fieldRef ${fieldPath} is not supported by the local node agent`);
}

/** The process environment of `container` in `pod`. */
export async function containerEnv(pod: V1Pod, container: V1Container, podIP: string, base: Record<string, string>, lookup: DataLookup): Promise<Record<string, string>> {
  const ns = pod.metadata?.namespace ?? 'default';
  const env: Record<string, string> = { ...base };
  const source = async (kind: 'ConfigMap' | 'Secret', name: string, optional: boolean | undefined) => {
    const data = await lookup(kind, ns, name);
    if (data === undefined && !optional) throw new Error(`${kind} ${ns}/${name} not found (container ${container.name})`);
    return data ?? {};
  };
  for (const from of container.envFrom ?? []) {
    const data = from.configMapRef ? await source('ConfigMap', from.configMapRef.name ?? '', from.configMapRef.optional)
      : from.secretRef ? await source('Secret', from.secretRef.name ?? '', from.secretRef.optional) : {};
    for (const [k, v] of Object.entries(data)) env[`${from.prefix ?? ''}${k}`] = v;
  }
  for (const e of container.env ?? []) {
    if (e.valueFrom === undefined) env[e.name] = e.value ?? '';
    else if (e.valueFrom.fieldRef) env[e.name] = fieldRefValue(pod, e.valueFrom.fieldRef.fieldPath, podIP);
    else if (e.valueFrom.configMapKeyRef) {
      const r = e.valueFrom.configMapKeyRef;
      const v = (await source('ConfigMap', r.name ?? '', r.optional))[r.key];
      if (v !== undefined) env[e.name] = v;
      else if (!r.optional) throw new Error(`ConfigMap ${ns}/${r.name} has no key ${r.key} (env ${e.name})`);
    } else if (e.valueFrom.secretKeyRef) {
      const r = e.valueFrom.secretKeyRef;
      const v = (await source('Secret', r.name ?? '', r.optional))[r.key];
      if (v !== undefined) env[e.name] = v;
      else if (!r.optional) throw new Error(`Secret ${ns}/${r.name} has no key ${r.key} (env ${e.name})`);
    } else throw new Error(`env ${e.name}: only fieldRef, configMapKeyRef and secretKeyRef are supported locally`);
  }
  env.POD_IP = podIP;
  env.TERN_HOST = podIP;
  return env;
}
