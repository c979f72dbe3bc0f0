/**
 * The plain shape of the Kubernetes objects the operator builds and applies (server-side apply takes
 * exactly this JSON). Kept minimal on purpose: builders fill only the fields Tern owns.
 */

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  name: string;
  namespace: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
}

/** Any object the operator applies: apiVersion, kind, metadata and the owned part of its body. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec?: Record<string, unknown>;
}
