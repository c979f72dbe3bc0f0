# Tern's commands. `make help` lists them; docs/ explains each (docs/development.md points to where).
SHELL := /bin/bash
.DEFAULT_GOAL := help
NODE := node
JEST := $(NODE) --experimental-vm-modules node_modules/jest/bin/jest.js
# Everything that meets the local cluster runs in its own network namespace (see test/cluster/netns.sh).
IN_NETNS := test/cluster/netns.sh
CLUSTER_CLI := $(IN_NETNS) $(NODE) .tern/tooling/cli.js
K8S_BIN := $(or $(TERN_CACHE_DIR),$(HOME)/.cache/tern)/bin/k8s-v1.36.3

.PHONY: help install build build-all typecheck lint layers test test-unit test-cluster demo demo-down

help: ## List the commands
	@grep -hE '^[a-zA-Z0-9_-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | column -t -s $$'\t'

# ---- The two commands ---------------------------------------------------------------------------
# Each first prepares what it needs outside the network namespace (test/cluster/prepare.js: npm ci and tsc
# beside the Go builds, with a live progress view), then runs; the namespace goes when nothing is left in it.
demo: ## Tern end to end here (~1.7 min warm): cluster, operator, traffic; 1.0.0, 1.1.0 promoted, 1.2.0 drifts and is rolled back. DEMO_ARGS="--plain --router gatewayAPI ..."
	@$(NODE) test/cluster/prepare.js demo
	@status=0; $(IN_NETNS) $(NODE) dist/test/demo/main.js $(DEMO_ARGS) || status=$$?; $(IN_NETNS) --delete; exit $$status

test: ## Everything CI runs: lint, unit tests, cluster tests
	@$(NODE) test/cluster/prepare.js test
	@$(MAKE) --no-print-directory lint test-unit test-cluster

# ---- Build and check ----------------------------------------------------------------------------
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

install: node_modules/.installed ## Install npm dependencies (offline-safe: see .npmrc)

# dist/ is rebuilt only when a TypeScript source or a tsconfig changed.
TS_SOURCES := $(shell find common operator server models test charts crds -name '*.ts' -not -path '*/node_modules/*' 2>/dev/null)
dist/.built: $(TS_SOURCES) tsconfig.json tsconfig.build.json node_modules/.installed
	$(NODE) node_modules/typescript/bin/tsc -p tsconfig.build.json
	@touch $@

build: dist/.built ## Compile TypeScript to dist/ (when a source changed)

build-all: build ## dist/ and the local cluster's tooling (.tern/tooling), each when stale
	@$(NODE) test/cluster/load-tooling.js

typecheck: install
	npx tsc -p tsconfig.json --noEmit

lint: install typecheck layers ## Type-check, check the import layers and lint everything (typescript-eslint)
	npx eslint .

layers: install ## Check the import layers (.dependency-cruiser.js): one-way floors, no loops, no test code in the product
	$(NODE) test/lint/check-layers.js

test-unit: install observe-tools ## Unit tests beside the code (no cluster needed)
	$(JEST) --selectProjects unit

test-cluster: build cluster-deps ## Tests in test/ against the real local control plane, Prometheus and tern-server processes
	@status=0; $(IN_NETNS) test/cluster/offline.sh $(JEST) --selectProjects cluster --runInBand || status=$$?; \
	  $(CLUSTER_CLI) down --if-started-by=jest; \
	  $(IN_NETNS) --delete; exit $$status

# ---- API: ModelRelease schema, CRD, registry file, `tern` CLI (operator/api, operator/registry, operator/cli)
.PHONY: crds check-crds registry-validate
crds: build ## Regenerate crds/modelrelease.yaml and models/registry.schema.json from the TypeBox schemas
	$(NODE) dist/operator/write-generated.js

check-crds: install ## Fail when crds/modelrelease.yaml or models/registry.schema.json is stale
	$(JEST) operator/api/crd.test.ts operator/registry/registry.test.ts --selectProjects unit

registry-validate: build ## Validate models/registry.json and the example ModelReleases offline
	$(NODE) bin/tern.js registry validate models/registry.json
	$(NODE) bin/tern.js validate operator/api/examples/*.yaml

# ---- Local control plane (test/cluster/: etcd, kube-apiserver, controller-manager, scheduler,
# ---- the real node tern-node, kwok, Prometheus — in the `tern` network namespace; state in .tern/)
.PHONY: cluster-deps images cluster-tooling cluster-up cluster-down cluster-status cluster-shell kubectl prometheus-stop prometheus-start
cluster-deps: ## Build/fetch what the local cluster needs, outside the network namespace, when missing (cached in ~/.cache/tern)
	@$(NODE) test/cluster/prepare.js cluster

images: ## Build the container images the local cluster's node runs (buildah, no daemon; cached by content hash in ~/.cache/tern/images). IMAGES_ARGS="--pause BIN --coredns BIN"
	@test/cluster/images/ensure-tools.sh
	@test/cluster/images/build-images.sh $(IMAGES_ARGS)

cluster-tooling: install
	npx tsc -p test/cluster/tsconfig.tooling.json && date -u > .tern/tooling/.stamp

cluster-up: cluster-deps cluster-tooling ## Start the local cluster: control plane, the real node tern-node, Prometheus (KWOK_NODES=N fake nodes, default 2)
	@$(CLUSTER_CLI) up --kwok-nodes=$(or $(KWOK_NODES),2)

cluster-down: ## Stop every process the local cluster started
	@if [ -f .tern/tooling/cli.js ]; then $(CLUSTER_CLI) down; fi
	@$(IN_NETNS) --delete

cluster-status: ## Show the running local cluster (server, kubeconfig, Prometheus URL, memory)
	@$(CLUSTER_CLI) status

cluster-shell: build ## A shell inside the cluster's network namespace, with KUBECONFIG, kubectl and tern on PATH
	@mkdir -p .tern/bin && ln -sf $(CURDIR)/bin/tern.js .tern/bin/tern && ln -sf $(K8S_BIN)/kubectl .tern/bin/kubectl
	@echo "cluster-shell: KUBECONFIG=$(CURDIR)/.tern/kubeconfig; kubectl and tern on PATH; exit to leave"
	@$(IN_NETNS) env KUBECONFIG=$(CURDIR)/.tern/kubeconfig PATH=$(CURDIR)/.tern/bin:$$PATH $${SHELL:-bash}

kubectl: ## kubectl against the local cluster: make kubectl ARGS="get mr -A"
	@$(IN_NETNS) $(K8S_BIN)/kubectl --kubeconfig $(CURDIR)/.tern/kubeconfig $(ARGS)

prometheus-stop: ## Stop the local cluster's Prometheus alone
	@$(CLUSTER_CLI) prometheus-stop

prometheus-start: ## Start the local cluster's Prometheus again (same URL)
	@$(CLUSTER_CLI) prometheus-start

# ---- tern-server and the demo models (server/, models/) -----------------------------------------
.PHONY: models traffic
models: build ## Regenerate the demo ONNX models and models/registry.json (byte-identical, deterministic)
	$(NODE) dist/models/generate.js models

traffic: build ## Demo traffic to loopback servers: make traffic ARGS="--url http://127.0.0.1:8080 --count 500"
	$(NODE) bin/tern-traffic.js $(ARGS)

# ---- Operator (operator/runtime, operator/planner, operator/routers, operator/reconciler, ...) ---
.PHONY: test-runtime test-runtime-cluster test-operator
test-runtime: install ## Unit tests of the operator runtime (queue, informer, leader election, events, metrics)
	$(JEST) operator/runtime --selectProjects unit

test-runtime-cluster: install cluster-deps ## The operator runtime against a real apiserver (informer recovery, leader failover, SSA, /status, events)
	$(IN_NETNS) $(JEST) --selectProjects cluster --runInBand test/operator-runtime.test.ts

test-operator: build cluster-deps ## The operator's end-to-end tests (rollouts, drift rollback, SIGKILL resume, leader failover)
	$(IN_NETNS) $(JEST) --selectProjects cluster --runInBand test/operator-rollout.test.ts test/operator-ha.test.ts test/operator-rollback.test.ts

# ---- Analysis (operator/analysis: metrics providers and checks) ---------------------------------
.PHONY: test-analysis
test-analysis: build ## Analysis units, and both providers against real tern-servers and a real Prometheus
	$(JEST) operator/analysis --selectProjects unit
	$(IN_NETNS) $(JEST) test/analysis-providers.test.ts --selectProjects cluster --runInBand

# ---- Deploy and observe: Helm chart, alerts, dashboards, Argo CD (charts/) ----------------------
.PHONY: helm-bin observe-tools test-rules test-chart dashboards check-dashboards dashboards-diff
helm-bin: ## Build helm from its Go module (charts/tools/helm) into $TERN_CACHE_DIR/bin, only when missing
	@charts/tools/helm/build.sh

observe-tools: ## Get what the chart tests drive: helm and the Argo CD Lua harness (gopher-lua; both built, cached), promtool (apt-get when missing)
	@$(NODE) test/cluster/prepare.js chart

test-rules: observe-tools ## promtool check rules + promtool unit tests of every alert (charts/tern/files/alerts*.yaml)
	charts/tools/test-rules.sh

test-chart: install observe-tools ## Chart tests only: helm lint/template, schema, alerts, dashboards, Argo CD Lua
	$(JEST) --selectProjects unit -- charts/

# The dashboards are TypeScript (charts/dashboards/, @grafana/grafana-foundation-sdk); the chart ships the JSON they render.
dashboards: build ## Regenerate charts/tern/files/dashboards/*.json from charts/dashboards/*.ts
	$(NODE) dist/charts/dashboards/write.js

check-dashboards: install ## Fail when a dashboard JSON is stale (or hand-written)
	$(JEST) charts/dashboards --selectProjects unit

dashboards-diff: build ## Panels and queries of the dashboards at REV (default HEAD) against the working tree
	@old=$$(mktemp -d) && trap 'rm -rf "$$old"' EXIT && \
	  for f in $$(git ls-tree --name-only $(or $(REV),HEAD) charts/tern/files/dashboards/); do git show $(or $(REV),HEAD):$$f > "$$old/$${f##*/}"; done && \
	  $(NODE) dist/charts/dashboards/compare.js "$$old" charts/tern/files/dashboards

# ---- Benchmarks (each prints figures measured side by side in one run) -------------------------
.PHONY: bench bench-server bench-large-request bench-operator bench-rollback bench-detection
RUNS ?= 10
INTERVAL ?= 10s
CASES ?= canary,bake
SCRAPE_INTERVAL ?= 1

bench: bench-server bench-detection bench-rollback bench-operator ## Every benchmark below, in turn

bench-server: build ## tern-server vs raw onnxruntime (demo and 3x48x192 models, JSON and binary; ~1.5 min)
	$(NODE) dist/test/bench/server-bench.js

bench-large-request: build ## One maximum-size request at a time (64 MiB OIP binary and JSON, 4,096 /v1 rows): time, /healthz worst and p99 meanwhile, RSS before, peak and 60 s after (~1.5 min)
	$(NODE) dist/test/bench/large-request-bench.js

bench-detection: build cluster-deps ## Drift alarm true in the pods' metrics -> analysis Fail, both providers (RUNS, INTERVAL, SCRAPE_INTERVAL)
	$(IN_NETNS) $(NODE) dist/test/analysis/bench-detection.js --runs $(RUNS) --interval $(INTERVAL) --scrape-interval $(SCRAPE_INTERVAL)

bench-rollback: build cluster-up ## Drift alarm -> weight 0 by the real operator (canary, both providers) and -> traffic back on the warm previous model (bake) (RUNS, INTERVAL, CASES=canary,bake)
	$(IN_NETNS) $(NODE) dist/test/analysis/bench-rollback.js --runs $(RUNS) --interval $(INTERVAL) --cases $(CASES)

bench-operator: build cluster-deps ## 1,000 ModelReleases on kwok nodes: cluster floor, then time to all Healthy, operator RSS, API writes while idle (ARGS="--releases N --workers W --idle-seconds S --skip-floor"; ~12 min)
	@$(CLUSTER_CLI) status >/dev/null 2>&1 || $(MAKE) cluster-up KWOK_NODES=2
	$(IN_NETNS) $(NODE) dist/test/bench/operator-bench.js $(ARGS)

# ---- Demo helpers --------------------------------------------------------------------------------
demo-down: ## Stop what a killed demo left running (recorded in .tern/demo/processes.json)
	@if [ -f dist/test/demo/main.js ]; then $(IN_NETNS) $(NODE) dist/test/demo/main.js --down; fi

# ---- Flaky tests: repeat cluster test files (test/cluster/repeat-tests.sh) -----------------------
.PHONY: test-repeat
test-repeat: build cluster-deps ## Cluster tests N times, one line per run and a summary: make test-repeat N=5 FILES="test/a.test.ts ..." (empty: all) LOAD=1 (a busy core meanwhile)
	@N=$(or $(N),5) FILES="$(FILES)" LOAD="$(LOAD)" JEST="$(JEST)" $(IN_NETNS) test/cluster/offline.sh test/cluster/repeat-tests.sh
