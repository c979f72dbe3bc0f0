#!/usr/bin/env node
// `tern-server`: the inference server every model pod runs.
import '../dist/server/main.js';
