# Tern's commands. `make help` lists them; README.md explains each.
SHELL := /bin/bash
.DEFAULT_GOAL := help
NODE := node
JEST := $(NODE) --experimental-vm-modules node_modules/jest/bin/jest.js
# Everything that meets the local cluster runs in its own network namespace (see test/cluster/netns.sh).
IN_NETNS := test/cluster/netns.sh

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

test-cluster: build cluster-deps ## Tests against the real local control plane, Prometheus and tern-server processes
	$(IN_NETNS) $(JEST) --selectProjects cluster --runInBand

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

# ---- Local control plane (test/cluster/: etcd, kube-apiserver, controller-manager, scheduler,
# ---- test node agent, kwok, Prometheus — all on loopback; state in .tern/) ----
CLUSTER_CLI := $(IN_NETNS) $(NODE) .tern/tooling/cli.js
.PHONY: cluster-deps cluster-tooling cluster-up cluster-down cluster-status prometheus-stop prometheus-start

cluster-deps: ## Build/install what the local cluster needs when missing (Go binaries cached, Prometheus)
	test/cluster/install-deps.sh

cluster-tooling: install
	@$(NODE) test/cluster/load-tooling.js

cluster-up: cluster-deps cluster-tooling ## Start the local cluster (KWOK_NODES=N fake nodes, default 2); prints `export KUBECONFIG=...`
	@$(CLUSTER_CLI) up --kwok-nodes=$(or $(KWOK_NODES),2)

cluster-down: ## Stop every process the local cluster started
	@if [ -f .tern/tooling/cli.js ]; then $(CLUSTER_CLI) down; fi
	@$(IN_NETNS) --delete

cluster-status: ## Show the running local cluster (server, kubeconfig, Prometheus URL)
	@$(CLUSTER_CLI) status

prometheus-stop: ## Stop the local cluster's Prometheus alone
	@$(CLUSTER_CLI) prometheus-stop

prometheus-start: ## Start the local cluster's Prometheus again (same URL)
	@$(CLUSTER_CLI) prometheus-start

cluster-shell: ## A shell inside the cluster's network namespace, with KUBECONFIG, kubectl and tern on PATH
	@$(IN_NETNS) env KUBECONFIG=$(CURDIR)/.tern/kubeconfig PATH=$(CURDIR)/bin:$(HOME)/.cache/tern/bin/k8s-v1.36.3:$$PATH $${SHELL:-bash}

kubectl: ## kubectl against the local cluster: make kubectl ARGS="get mr -A"
	@$(IN_NETNS) $(HOME)/.cache/tern/bin/k8s-v1.36.3/kubectl --kubeconfig $(CURDIR)/.tern/kubeconfig $(ARGS)

# --- Deploy and observe: Helm chart, alerts, dashboards, Argo CD (charts/) ---------------------------
.PHONY: helm-bin observe-tools test-rules test-chart

helm-bin: ## Build helm from its Go module (charts/tools/helm) into $TERN_CACHE_DIR/bin, only when missing
	@charts/tools/helm/build.sh


# ---- Operator runtime (operator/runtime/: work queue, informers, leader election, apply, events, probes) ----
.PHONY: test-runtime test-runtime-cluster

test-runtime: install ## Unit tests of the operator runtime (queue, informer, leader election, events, metrics)
	$(JEST) --selectProjects unit operator/runtime

test-runtime-cluster: install cluster-deps ## The operator runtime against a real apiserver (informer recovery, leader failover, SSA, /status, events)
	$(IN_NETNS) $(JEST) --selectProjects cluster --runInBand test/operator-runtime.test.ts

# ---- tern-server and the demo models (issue 4) ------------------------------------------------------
.PHONY: models bench-server traffic

models: build ## Regenerate the demo ONNX models and models/registry.json (byte-identical, deterministic)
	$(NODE) dist/models/generate.js models

bench-server: build ## Benchmark tern-server against raw onnxruntime (demo and 3x48x192 models; ~1 min)
	$(NODE) dist/test/bench/server-bench.js

traffic: build ## Demo traffic to loopback servers: make traffic ARGS="--url http://127.0.0.1:8080 --count 500"
	$(NODE) bin/tern-traffic.js $(ARGS)

# --- Deploy and observe (continued) ---
observe-tools: helm-bin ## Get what the chart tests drive: helm (built), promtool and lua5.1 (apt-get when missing)
	@charts/tools/ensure-debian-tools.sh

test-rules: observe-tools ## promtool check rules + promtool unit tests of every alert (charts/tern/files/alerts*.yaml)
	charts/tools/test-rules.sh

test-chart: install observe-tools ## Chart tests only: helm lint/template, schema, alerts, dashboards, Argo CD Lua
	$(JEST) --selectProjects unit -- charts/

# --- Release: planner, routers, reconciler, tern-operator, release control CLI (operator/planner,
# --- operator/routers, operator/desired, operator/reconciler, operator/main.ts) ---
.PHONY: test-operator
test-operator: build cluster-deps ## The operator's end-to-end tests on the local cluster (rollouts, drift rollback, SIGKILL resume, leader failover)
	$(IN_NETNS) $(JEST) --selectProjects cluster --runInBand test/operator-rollout.test.ts test/operator-ha.test.ts test/operator-rollback.test.ts

.PHONY: bench-operator
bench-operator: build cluster-deps ## 1,000 ModelReleases on kwok nodes: time to all Healthy, operator RSS, API writes while idle (ARGS="--releases N --idle-seconds S")
	@$(CLUSTER_CLI) status >/dev/null 2>&1 || $(MAKE) cluster-up KWOK_NODES=2
	$(IN_NETNS) $(NODE) dist/test/bench/operator-bench.js $(ARGS)

# ---------------------------------------------------------------------------------------------
# Analysis (issue 6): metrics providers and checks
# ---------------------------------------------------------------------------------------------
.PHONY: test-analysis bench-detection bench-rollback
RUNS ?= 10
INTERVAL ?= 10s
SCRAPE_INTERVAL ?= 1

test-analysis: build ## Analysis units, and both providers against real tern-servers and a real Prometheus
	$(JEST) operator/analysis --selectProjects unit
	$(IN_NETNS) $(JEST) test/analysis-providers.test.ts --selectProjects cluster --runInBand

bench-detection: build ## Drift alarm true in the pods' metrics -> analysis Fail, both providers (RUNS, INTERVAL, SCRAPE_INTERVAL)
	$(IN_NETNS) $(NODE) dist/test/analysis/bench-detection.js --runs $(RUNS) --interval $(INTERVAL) --scrape-interval $(SCRAPE_INTERVAL)

bench-rollback: build cluster-up ## Drift alarm true in the candidate pods' metrics -> weight 0 by the real operator, both providers (RUNS, INTERVAL)
	$(IN_NETNS) $(NODE) dist/test/analysis/bench-rollback.js --runs $(RUNS) --interval $(INTERVAL)
