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

test-cluster: build cluster-deps ## Tests against the real local control plane, Prometheus and tern-server processes
	$(JEST) --selectProjects cluster --runInBand

test: lint build test-unit test-cluster ## Everything CI runs: lint, unit tests, cluster tests

# ---- Local control plane (test/cluster/: etcd, kube-apiserver, controller-manager, scheduler,
# ---- test node agent, kwok, Prometheus — all on loopback; state in .tern/) ----
CLUSTER_CLI := $(NODE) .tern/tooling/cli.js
.PHONY: cluster-deps cluster-tooling cluster-up cluster-down cluster-status prometheus-stop prometheus-start

cluster-deps: ## Build/install what the local cluster needs when missing (Go binaries cached, Prometheus)
	test/cluster/install-deps.sh

cluster-tooling: install
	@$(NODE) test/cluster/load-tooling.js

cluster-up: cluster-deps cluster-tooling ## Start the local cluster (KWOK_NODES=N fake nodes, default 2); prints `export KUBECONFIG=...`
	@$(CLUSTER_CLI) up --kwok-nodes=$(or $(KWOK_NODES),2)

cluster-down: ## Stop every process the local cluster started
	@if [ -f .tern/tooling/cli.js ]; then $(CLUSTER_CLI) down; fi

cluster-status: ## Show the running local cluster (server, kubeconfig, Prometheus URL)
	@$(CLUSTER_CLI) status

prometheus-stop: ## Stop the local cluster's Prometheus alone
	@$(CLUSTER_CLI) prometheus-stop

prometheus-start: ## Start the local cluster's Prometheus again (same URL)
	@$(CLUSTER_CLI) prometheus-start

# --- API: ModelRelease schema, CRD, registry file, `tern` CLI (operator/api, operator/registry, operator/cli) ---
crds: build ## Regenerate crds/modelrelease.yaml and models/registry.schema.json from the TypeBox schemas
	$(NODE) dist/operator/write-generated.js

check-crds: install ## Fail when crds/modelrelease.yaml or models/registry.schema.json is stale
	$(JEST) --selectProjects unit operator/api/crd.test.ts operator/registry/registry.test.ts

.PHONY: registry-validate
registry-validate: build ## Validate models/registry.json and the example ModelReleases offline
	$(NODE) bin/tern.js registry validate models/registry.json
	$(NODE) bin/tern.js validate operator/api/examples/*.yaml

# --- Release: planner, routers, reconciler, tern-operator, release control CLI (operator/planner,
# --- operator/routers, operator/desired, operator/reconciler, operator/main.ts) ---
.PHONY: test-operator
test-operator: build cluster-deps ## The operator's end-to-end tests on the local cluster (rollouts, drift rollback, SIGKILL resume, leader failover)
	$(JEST) --selectProjects cluster --runInBand test/operator-rollout.test.ts test/operator-ha.test.ts test/operator-rollback.test.ts

# ---- Operator runtime (operator/runtime/: work queue, informers, leader election, apply, events, probes) ----
.PHONY: test-runtime test-runtime-cluster

test-runtime: install ## Unit tests of the operator runtime (queue, informer, leader election, events, metrics)
	$(JEST) --selectProjects unit operator/runtime

test-runtime-cluster: install cluster-deps ## The operator runtime against a real apiserver (informer recovery, leader failover, SSA, /status, events)
	$(JEST) --selectProjects cluster --runInBand test/operator-runtime.test.ts
# ---------------------------------------------------------------------------------------------
# Analysis (issue 6): metrics providers and checks
# ---------------------------------------------------------------------------------------------
.PHONY: test-analysis bench-detection bench-rollback
RUNS ?= 10
INTERVAL ?= 10s
SCRAPE_INTERVAL ?= 1

test-analysis: build ## Analysis units, and both providers against real tern-servers and a real Prometheus
	$(JEST) operator/analysis --selectProjects unit
	$(JEST) test/analysis-providers.test.ts --selectProjects cluster --runInBand

bench-detection: build ## Drift alarm true in the pods' metrics -> analysis Fail, both providers (RUNS, INTERVAL, SCRAPE_INTERVAL)
	$(NODE) dist/test/analysis/bench-detection.js --runs $(RUNS) --interval $(INTERVAL) --scrape-interval $(SCRAPE_INTERVAL)

bench-rollback: build cluster-up ## Drift alarm true in the candidate pods' metrics -> weight 0 by the real operator, both providers (RUNS, INTERVAL)
	$(NODE) dist/test/analysis/bench-rollback.js --runs $(RUNS) --interval $(INTERVAL)
# ---- tern-server and the demo models (issue 4) ------------------------------------------------------
.PHONY: models bench-server traffic

models: build ## Regenerate the demo ONNX models and models/registry.json (byte-identical, deterministic)
	$(NODE) dist/models/generate.js models

bench-server: build ## Benchmark tern-server against raw onnxruntime (demo and 3x48x192 models; ~1 min)
	$(NODE) dist/test/bench/server-bench.js

traffic: build ## Demo traffic to loopback servers: make traffic ARGS="--url http://127.0.0.1:8080 --count 500"
	$(NODE) bin/tern-traffic.js $(ARGS)

.PHONY: bench-operator
bench-operator: build cluster-deps ## 1,000 ModelReleases on kwok nodes: time to all Healthy, operator RSS, API writes while idle (ARGS="--releases N --idle-seconds S")
	@$(CLUSTER_CLI) status >/dev/null 2>&1 || $(MAKE) cluster-up KWOK_NODES=2
	$(NODE) dist/test/bench/operator-bench.js $(ARGS)

# --- Demo: the main job on one machine (test/demo/: story, gateway, live view, summary) ---
.PHONY: demo-down
demo: build cluster-deps ## Tern end to end here (~2 min warm): cluster, operator, traffic; 1.0.0, 1.1.0 promoted, 1.2.0 drifts and is rolled back. DEMO_ARGS="--plain --router gatewayAPI ..."
	@$(NODE) dist/test/demo/main.js $(DEMO_ARGS)

demo-down: ## Stop what a killed demo left running (recorded in .tern/demo/processes.json)
	@if [ -f dist/test/demo/main.js ]; then $(NODE) dist/test/demo/main.js --down; fi
