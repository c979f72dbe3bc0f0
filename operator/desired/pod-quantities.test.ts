// Every quantity of a pod spec is reached (containers, init and ephemeral containers, pod resources,
// overhead, emptyDir sizeLimits), nothing else is, and an invalid or negative spec.serving quantity names its field.
import { canonicalAt, rewriteObjectQuantities, rewritePodQuantities } from './pod-quantities.js';

const seen: string[] = [];
const mark = (text: string, field: string): string => {
  seen.push(field);
  return `<${text}>`;
};

describe('rewritePodQuantities', () => {
  it('rewrites every quantity field and leaves the rest as it is', () => {
    seen.length = 0;
    const spec = {
      containers: [{ name: 'a', image: '1Gi', resources: { requests: { cpu: '1' }, limits: { memory: '1Gi' } } }, { name: 'b' }],
      initContainers: [{ name: 'i', resources: { limits: { cpu: '2' } } }],
      ephemeralContainers: [{ name: 'e', resources: { requests: { memory: '3' } } }],
      resources: { requests: { cpu: '4' } },
      overhead: { cpu: '5' },
      volumes: [{ name: 'tmp', emptyDir: { sizeLimit: '6Gi' } }, { name: 'cfg', configMap: { name: '7' } }],
      nodeSelector: { size: '8' },
    };
    const out = rewritePodQuantities(spec, mark);
    expect(out).toEqual({
      containers: [{ name: 'a', image: '1Gi', resources: { requests: { cpu: '<1>' }, limits: { memory: '<1Gi>' } } }, { name: 'b' }],
      initContainers: [{ name: 'i', resources: { limits: { cpu: '<2>' } } }],
      ephemeralContainers: [{ name: 'e', resources: { requests: { memory: '<3>' } } }],
      resources: { requests: { cpu: '<4>' } },
      overhead: { cpu: '<5>' },
      volumes: [{ name: 'tmp', emptyDir: { sizeLimit: '<6Gi>' } }, { name: 'cfg', configMap: { name: '7' } }],
      nodeSelector: { size: '8' },
    });
    expect(seen).toEqual([
      'containers[a].resources.requests.cpu', 'containers[a].resources.limits.memory', 'initContainers[i].resources.limits.cpu',
      'ephemeralContainers[e].resources.requests.memory', 'resources.requests.cpu', 'overhead.cpu', 'volumes[tmp].emptyDir.sizeLimit',
    ]);
    expect(spec.containers[0]!.resources!.requests.cpu).toBe('1'); // a copy: the input is untouched
  });

  it('finds the pod spec of a workload and of a Pod, and touches no other object', () => {
    const pod = { containers: [{ name: 'c', resources: { limits: { cpu: '1' } } }] };
    expect(rewriteObjectQuantities({ kind: 'Deployment', spec: { replicas: 1, template: { spec: pod } } }, mark)).toMatchObject({ spec: { template: { spec: { containers: [{ resources: { limits: { cpu: '<1>' } } }] } } } });
    expect(rewriteObjectQuantities({ kind: 'Pod', spec: pod }, mark)).toMatchObject({ spec: { containers: [{ resources: { limits: { cpu: '<1>' } } }] } });
    const service = { kind: 'Service', spec: { ports: [{ port: 80 }] } };
    expect(rewriteObjectQuantities(service, mark)).toBe(service);
  });
});

describe('canonicalAt', () => {
  it('writes the canonical form, and names the field of an invalid or negative quantity', () => {
    expect(canonicalAt('1024Mi', 'f')).toBe('1Gi');
    expect(() => canonicalAt('lots', 'spec.serving.resources.limits.memory')).toThrow('spec.serving.resources.limits.memory: "lots" is not a quantity');
    expect(() => canonicalAt('-1', 'spec.serving.resources.requests.cpu')).toThrow('spec.serving.resources.requests.cpu: "-1" is negative');
  });
});
