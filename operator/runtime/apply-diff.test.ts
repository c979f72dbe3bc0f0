import { appliedFieldsMatch, isSubset } from './apply-diff.js';

const liveDeployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'a', namespace: 'ns', resourceVersion: '42', labels: { app: 'a', other: 'x' }, uid: 'u1' },
  spec: {
    replicas: 2,
    progressDeadlineSeconds: 600,
    template: {
      spec: {
        containers: [
          { name: 'sidecar', image: 'proxy' },
          { name: 'server', image: 'tern-server:1', resources: { limits: { 'nvidia.com/gpu': '1' } }, imagePullPolicy: 'IfNotPresent' },
        ],
      },
    },
  },
};

describe('appliedFieldsMatch', () => {
  const desired = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'a', namespace: 'ns', labels: { app: 'a' } },
    spec: {
      replicas: 2,
      template: { spec: { containers: [{ name: 'server', image: 'tern-server:1', resources: { limits: { 'nvidia.com/gpu': 1 } } }] } },
    },
  };

  it('matches when the live object carries every desired field (defaults and other managers ignored)', () => {
    expect(appliedFieldsMatch(desired, liveDeployment)).toBe(true);
  });

  it('differs on a changed scalar, label or container field', () => {
    expect(appliedFieldsMatch({ ...desired, spec: { ...desired.spec, replicas: 3 } }, liveDeployment)).toBe(false);
    expect(appliedFieldsMatch({ ...desired, metadata: { ...desired.metadata, labels: { app: 'b' } } }, liveDeployment)).toBe(false);
    const img = structuredClone(desired);
    img.spec.template.spec.containers[0]!.image = 'tern-server:2';
    expect(appliedFieldsMatch(img, liveDeployment)).toBe(false);
  });

  it('differs when the object does not exist', () => {
    expect(appliedFieldsMatch(desired, undefined)).toBe(false);
  });
});

describe('isSubset', () => {
  it('compares unnamed lists positionally with equal length', () => {
    expect(isSubset([1, 2], [1, 2])).toBe(true);
    expect(isSubset([1, 2], [1, 2, 3])).toBe(false);
    expect(isSubset([{ weight: 1 }], [{ weight: 1, group: '' }])).toBe(true);
  });

  it('treats an empty desired object or list as matching an absent field', () => {
    expect(isSubset({ a: {} }, {})).toBe(true);
    expect(isSubset({ a: [] }, {})).toBe(true);
    expect(isSubset({ a: [1] }, {})).toBe(false);
  });
});
