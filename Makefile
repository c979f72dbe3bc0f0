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

# --- API: ModelRelease schema, CRD, registry file, `tern` CLI (operator/api, operator/registry, operator/cli) ---
crds: build ## Regenerate crds/modelrelease.yaml and models/registry.schema.json from the TypeBox schemas
	$(NODE) dist/operator/write-generated.js

check-crds: install ## Fail when crds/modelrelease.yaml or models/registry.schema.json is stale
	$(JEST) --selectProjects unit operator/api/crd.test.ts operator/registry/registry.test.ts

.PHONY: registry-validate
registry-validate: build ## Validate models/registry.json and the example ModelReleases offline
	$(NODE) bin/tern.js registry validate models/registry.json
	$(NODE) bin/tern.js validate operator/api/examples/*.yaml
