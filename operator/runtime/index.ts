/**
 * operator/runtime: the operator's mechanics, independent of what it reconciles — work queue,
 * informers, leader election, server-side apply, events, kubeconfig discovery, metrics, probes and
 * graceful shutdown. The reconciler (operator/controller) is built on these; import from here.
 */
export * from './apply.js';
export * from './apply-diff.js';
export * from './backoff.js';
export * from './clock.js';
export * from './enqueue.js';
export * from './events.js';
export * from './http-server.js';
export * from './informer.js';
export * from './kube-client.js';
export * from './kubeconfig.js';
export * from './leader-election.js';
export * from './lease-store.js';
export * from './list-watch.js';
export * from './log.js';
export * from './metrics.js';
export * from './object-key.js';
export * from './resources.js';
export * from './rest-client.js';
export * from './shutdown.js';
export * from './work-queue.js';
