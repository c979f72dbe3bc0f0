#!/usr/bin/env node
// `tern-traffic`: demo traffic for loopback tern-servers (see models/traffic.ts).
import '../dist/models/traffic-cli.js';
