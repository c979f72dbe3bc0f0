#!/usr/bin/env node
// `tern-operator`: the Kubernetes operator that reconciles ModelReleases.
import '../dist/operator/main.js';
