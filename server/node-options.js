// The V8 options tern-server runs with: the image sets them as NODE_OPTIONS (Dockerfile, tern-server stage),
// and the local node agent, the benchmark and the e2e processes pass the same flags, so every measured
// server runs as deployed. A 2 MB young-generation semi-space makes scavenges frequent enough that request
// body buffers (Node copies every body chunk into a fresh one) die young; with V8's default (16 MB) their
// external memory set off a full mark-compact every ~35 ms under image-sized load, and the server spent
// ~0.49 ms of CPU per 3x48x192 binary request instead of ~0.39 ms. Larger values (4, 8) lose most of the
// gain; 1 MB costs the JSON routes ~15% (more scavenges of their short-lived objects).
/** NODE_OPTIONS of the tern-server image. */
export const SERVER_NODE_OPTIONS = '--max-semi-space-size=2';
/** The same options as node command-line flags. */
export const serverNodeFlags = () => SERVER_NODE_OPTIONS.split(' ').filter(Boolean);
