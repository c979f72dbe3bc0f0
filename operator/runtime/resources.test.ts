import { MODEL_RELEASES } from '../api/resource.js';
import { collectionPath, DEPLOYMENTS, NAMESPACES, objectPath, resourceLabel, SERVICES } from './resources.js';

describe('resource paths', () => {
  it('builds core, grouped, namespaced and cluster-scoped paths', () => {
    expect(collectionPath(SERVICES, 'ns1')).toBe('/api/v1/namespaces/ns1/services');
    expect(collectionPath(DEPLOYMENTS)).toBe('/apis/apps/v1/deployments');
    expect(objectPath(MODEL_RELEASES, 'ns1', 'fraud', 'status')).toBe(
      '/apis/serving.tern.dev/v1alpha1/namespaces/ns1/modelreleases/fraud/status',
    );
    expect(objectPath(NAMESPACES, undefined, 'ns1')).toBe('/api/v1/namespaces/ns1');
  });

  it('refuses a namespaced object without a namespace', () => {
    expect(() => objectPath(DEPLOYMENTS, undefined, 'x')).toThrow(/needs a namespace/);
  });

  it('labels subresources the way RBAC names them', () => {
    expect(resourceLabel(MODEL_RELEASES, 'status')).toBe('modelreleases/status');
  });
});
