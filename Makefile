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

test-unit: install observe-tools ## Unit tests (no cluster needed)
	$(JEST) --selectProjects unit

test-cluster: build ## Tests against the real local control plane, Prometheus and tern-server processes
	$(JEST) --selectProjects cluster --runInBand

test: lint build test-unit test-cluster ## Everything CI runs: lint, unit tests, cluster tests

# --- Deploy and observe: Helm chart, alerts, dashboards, Argo CD (charts/) ---------------------------
.PHONY: helm-bin observe-tools test-rules test-chart

helm-bin: ## Build helm from its Go module (charts/tools/helm) into $TERN_CACHE_DIR/bin, only when missing
	@charts/tools/helm/build.sh

observe-tools: helm-bin ## Get what the chart tests drive: helm (built), promtool and lua5.1 (apt-get when missing)
	@charts/tools/ensure-debian-tools.sh

test-rules: observe-tools ## promtool check rules + promtool unit tests of every alert (charts/tern/files/alerts*.yaml)
	charts/tools/test-rules.sh

test-chart: install observe-tools ## Chart tests only: helm lint/template, schema, alerts, dashboards, Argo CD Lua
	$(JEST) --selectProjects unit -- charts/
