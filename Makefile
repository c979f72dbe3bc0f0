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

# ---------------------------------------------------------------------------------------------
# Analysis (issue 6): metrics providers and checks
# ---------------------------------------------------------------------------------------------
.PHONY: test-analysis bench-detection
RUNS ?= 10
INTERVAL ?= 10s
SCRAPE_INTERVAL ?= 1

test-analysis: build ## Analysis units, and both providers against real tern-servers and a real Prometheus
	$(JEST) --selectProjects unit operator/analysis
	$(JEST) --selectProjects cluster --runInBand test/analysis-providers.test.ts

bench-detection: build ## Drift alarm true in the pods' metrics -> analysis Fail, both providers (RUNS, INTERVAL, SCRAPE_INTERVAL)
	$(NODE) dist/test/analysis/bench-detection.js --runs $(RUNS) --interval $(INTERVAL) --scrape-interval $(SCRAPE_INTERVAL)
