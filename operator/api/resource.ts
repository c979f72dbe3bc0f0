/**
 * The ModelRelease as a REST resource: group, version, kind, plural and scope, the shape of
 * operator/runtime's ResourceType (matched structurally: api imports nothing from runtime), for the
 * operator's informer and status writes and the `tern` CLI's reads and patches.
 */
import { GROUP, KIND, PLURAL, VERSION } from './model-release-schema.js';

/** serving.tern.dev/v1alpha1 ModelRelease. */
export const MODEL_RELEASES = { group: GROUP, version: VERSION, kind: KIND, plural: PLURAL, namespaced: true };
