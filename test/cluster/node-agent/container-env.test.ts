// containerEnv: env values, downward API, ConfigMap/Secret references, and the agent's own variables.
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import { containerEnv, type DataLookup } from './container-env.js';

const pod: V1Pod = { metadata: { name: 'p', namespace: 'ns', uid: 'u1', labels: { app: 'a' } }, spec: { nodeName: 'local-0', containers: [] } };
const lookup: DataLookup = async (kind, ns, name) => (kind === 'ConfigMap' && ns === 'ns' && name === 'cm' ? { k: 'from-cm', other: 'o' } : undefined);

test('builds env from values, fieldRefs and ConfigMaps; POD_IP and TERN_HOST always win', async () => {
  const c: V1Container = {
    name: 'c',
    envFrom: [{ configMapRef: { name: 'cm' }, prefix: 'CM_' }],
    env: [
      { name: 'PLAIN', value: 'v' },
      { name: 'NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
      { name: 'K', valueFrom: { configMapKeyRef: { name: 'cm', key: 'k' } } },
      { name: 'TERN_HOST', value: '0.0.0.0' },
    ],
  };
  const env = await containerEnv(pod, c, '198.18.0.9', { PATH: '/bin' }, lookup);
  expect(env).toEqual({ PATH: '/bin', CM_k: 'from-cm', CM_other: 'o', PLAIN: 'v', NAME: 'p', APP: 'a', K: 'from-cm', TERN_HOST: '198.18.0.9', POD_IP: '198.18.0.9' });
});

test('a missing ConfigMap or key is an error naming it, unless optional', async () => {
  const ref = (name: string, key: string, optional?: boolean): V1Container => ({ name: 'c', env: [{ name: 'X', valueFrom: { configMapKeyRef: { name, key, optional } } }] });
  await expect(containerEnv(pod, ref('nope', 'k'), '1.2.3.4', {}, lookup)).rejects.toThrow('ConfigMap ns/nope not found');
  await expect(containerEnv(pod, ref('cm', 'missing'), '1.2.3.4', {}, lookup)).rejects.toThrow('ConfigMap ns/cm has no key missing');
  expect((await containerEnv(pod, ref('nope', 'k', true), '1.2.3.4', {}, lookup)).X).toBeUndefined();
});
