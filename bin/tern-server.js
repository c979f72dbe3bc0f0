#!/usr/bin/env -S node --max-semi-space-size=2 --min-semi-space-size=2 --no-memory-reducer
// `tern-server`: the inference server every model pod runs. The flags above are server/node-options.ts's.
import '../dist/server/main.js';
