#!/usr/bin/env node
// `tern`: the user's CLI (registry validate/render, manifest validation, release control).
import '../dist/operator/cli/main.js';
