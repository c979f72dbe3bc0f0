# Tern's commands. `make help` lists them; README.md explains each.
SHELL := /bin/bash
.DEFAULT_GOAL := help
NODE := node
JEST := $(NODE) --experimental-vm-modules node_modules/jest/bin/jest.js

.PHONY: help install build lint typecheck test test-unit test-cluster demo crds check-crds

help: ## List the commands
	@grep -hE '^[a-zA-Z0-9_-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | sort | column -t -s $$'\t'

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

install: node_modules/.installed ## Install npm dependencies (offline-safe: see .npmrc)

build: install ## Compile TypeScript to dist/
	npx tsc -p tsconfig.build.json

typecheck: install
	npx tsc -p tsconfig.json --noEmit

lint: install typecheck ## Type-check and lint everything (typescript-eslint)
	npx eslint .

test-unit: install ## Unit tests (no cluster needed)
	$(JEST) --selectProjects unit

test-cluster: build ## Tests against the real local control plane, Prometheus and tern-server processes
	$(JEST) --selectProjects cluster --runInBand

test: lint build test-unit test-cluster ## Everything CI runs: lint, unit tests, cluster tests

# ---- tern-server and the demo models (issue 4) ------------------------------------------------------
.PHONY: models bench-server traffic

models: build ## Regenerate the demo ONNX models and models/registry.json (byte-identical, deterministic)
	$(NODE) dist/models/generate.js models

bench-server: build ## Benchmark tern-server against raw onnxruntime (demo and 3x48x192 models; ~1 min)
	$(NODE) dist/test/bench/server-bench.js

traffic: build ## Demo traffic to loopback servers: make traffic ARGS="--url http://127.0.0.1:8080 --count 500"
	$(NODE) bin/tern-traffic.js $(ARGS)
