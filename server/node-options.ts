// The V8 flags tern-server runs with. bin/tern-server.js carries them in its `#!/usr/bin/env -S node ...`
// line (NODE_OPTIONS may not hold the last two), so the image's entry point and a Deployment's
// `command: ["tern-server"]` get them (the local cluster's real node runs that image); the benchmark and the e2e processes, which
// start `node bin/tern-server.js`, pass the same flags, so every measured server runs as deployed.
//
// Why: Node copies every request body chunk into a fresh buffer. With V8's default young generation
// (semi-spaces growing to 16 MB) that external memory set off frequent full mark-compacts under
// image-sized load, which cost server CPU per request. A fixed 2 MB semi-space makes scavenges frequent
// enough for those buffers to die young; without the memory reducer a server that sat idle for a while
// does not come back with shrunken heap limits. A 1 MB semi-space costs the JSON routes (more scavenges of
// their short-lived objects); 4 and 8 MB lose most of the gain. Figures: docs/benchmarks.md, "GC flags".

/** Node command-line flags of tern-server. */
export const SERVER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=2', '--min-semi-space-size=2', '--no-memory-reducer'];

/** The flags of SERVER_NODE_FLAGS that `execArgv` (node's own command-line flags) lacks. */
export function missingNodeFlags(execArgv: readonly string[]): string[] {
  return SERVER_NODE_FLAGS.filter((flag) => !execArgv.includes(flag));
}
