/**
 * Tern's import layers, checked by `make lint` (test/lint/check-layers.js runs dependency-cruiser with it).
 *
 * A module may import its own layer and the layers on lower floors, never a higher floor and never a
 * layer beside it on the same floor:
 *
 *   6  operator/*.ts               the operator's wiring and entry points (operator.ts, main.ts, ...)
 *   5  operator/reconciler         operator/cli      one reconcile pass  | the `tern` CLI
 *   4  operator/routers            TrafficRouter implementations (pure)
 *   3  operator/desired            builders of the owned Deployments and Services (pure)
 *   2  operator/planner            the pure rollout decisions
 *   1  operator/model  operator/analysis  operator/registry
 *   0  operator/api                operator/runtime  the ModelRelease contract | Kubernetes mechanics,
 *                                                    independent of what the operator reconciles
 *
 * The floors bind product code; a layer's tests may use any layer (but nothing imports them back).
 * server/ (tern-server) and operator/ never import each other. common/ lies below both programs (the
 * JSON-line logger they share) and imports nothing of the repository. No import loops anywhere. Product code
 * (operator/, server/) never imports test code: *.test.ts, testing/ folders, testing.ts, testdata, test/.
 */

/** Floors, lowest first. Each layer is a path regex; layers on one floor are independent of each other. */
const FLOORS = [
  { runtime: '^operator/runtime/', api: '^operator/api/' },
  { model: '^operator/model/', analysis: '^operator/analysis/', registry: '^operator/registry/' },
  { planner: '^operator/planner/' },
  { desired: '^operator/desired/' },
  { routers: '^operator/routers/' },
  { reconciler: '^operator/reconciler/', cli: '^operator/cli/' },
  { wiring: '^operator/[^/]+$' },
];

/** Test code: never imported by product code, and left out of the build (tsconfig.build.json). */
/** Test fakes and fixtures beside the code: left out of the build (tsconfig.build.json excludes them). */
const TEST_FAKES = ['/testing/', '/testing\\.ts$', '/testdata(/|\\.ts$)'];

const TEST_CODE = ['\\.test\\.ts$', '/testing/', '/testing\\.ts$', '/testdata(/|\\.ts$)', '^test/', '-jest-environment\\.mjs$'];

/** Where the programs start (bin/*.js run their dist/ twins; worker-pool.ts starts inference-worker.ts by URL). */
/** Product modules only tests and benchmarks start: in-process-runner.ts (onnxruntime on the calling thread). */
const TEST_SUPPORT = ['^server/in-process-runner\\.ts$'];

const ENTRY_POINTS = ['^operator/main\\.ts$', '^operator/cli/main\\.ts$', '^operator/write-generated\\.ts$', '^server/main\\.ts$', '^server/inference-worker\\.ts$'];

const all = FLOORS.flatMap((floor, level) => Object.entries(floor).map(([name, path]) => ({ name, path, level })));

/**
 * A layer's product code may import neither a higher floor nor another layer of its own floor. Its tests
 * and fakes may (the planner's simulation scales pods with the real routers); they are never imported back.
 */
const layerRules = all.flatMap((layer) => {
  const forbidden = all.filter((other) => other.name !== layer.name && other.level >= layer.level);
  if (forbidden.length === 0) return [];
  return {
    name: `layer-${layer.name}`,
    comment: `operator/${layer.name} (floor ${layer.level}) imports only lower floors: not ${forbidden.map((o) => o.name).join(', ')}`,
    severity: 'error',
    from: { path: layer.path, pathNot: TEST_CODE },
    to: { path: forbidden.map((o) => o.path) },
  };
});

export default {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'An import loop: the modules cannot be read, tested or moved one at a time.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    ...layerRules,
    {
      name: 'common-lowest',
      comment: 'common/ is shared by the operator and tern-server, below both: it imports nothing of the repository.',
      severity: 'error',
      from: { path: '^common/', pathNot: TEST_CODE },
      to: { path: '^(?!common/|node_modules/)[^/]+/' },
    },
    {
      name: 'server-not-operator',
      comment: 'tern-server and the operator are separate programs: server/ imports nothing from operator/.',
      severity: 'error',
      from: { path: '^server/' },
      to: { path: '^operator/' },
    },
    {
      name: 'operator-not-server',
      comment: 'The operator imports nothing from server/ (tern-server is a separate program).',
      severity: 'error',
      from: { path: '^operator/' },
      to: { path: '^server/' },
    },
    {
      name: 'product-not-test-code',
      comment: 'Product code (common/, operator/, server/) imports no test code: fakes and fixtures stay out of dist/.',
      severity: 'error',
      from: { path: '^(common|operator|server)/', pathNot: TEST_CODE },
      to: { path: TEST_CODE },
    },
    {
      name: 'build-not-test-fakes',
      comment:
        'Only *.test.ts files may import test fakes (testing/, testing.ts, testdata): tsc compiles whatever a built ' +
        'file imports, so an import from a benchmark or a demo would put the fakes back into dist/.',
      severity: 'error',
      from: { path: '^(common|operator|server|models|test)/', pathNot: ['\\.test\\.ts$', ...TEST_FAKES] },
      to: { path: TEST_FAKES },
    },
    {
      name: 'no-unreachable-product-code',
      comment: 'A module of common/, operator/ or server/ that no program reaches from its entry point: use it or delete it.',
      severity: 'error',
      from: { path: ENTRY_POINTS },
      to: { path: '^(common|operator|server)/', pathNot: [...TEST_CODE, ...TEST_SUPPORT, ...ENTRY_POINTS], reachable: false },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import that resolves to no file (a typo, or a module moved without its importers).',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    // Type-only imports count: a layer that needs a higher layer's types depends on it all the same.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['^node_modules/', '^dist/', '^\\.tern/'] },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js', '.mjs', '.cjs', '.json', '.d.ts'] },
  },
};
