// Jest in ESM mode (run through `node --experimental-vm-modules`), two projects:
//   unit    — tests beside the code (common/, operator/, server/, models/, charts/, crds/, docs/, test/bench/); never need a cluster.
//   cluster — tests under test/ that start the local control plane, Prometheus and real servers.
const tsJest = [
  'ts-jest',
  { useESM: true, tsconfig: 'tsconfig.json', diagnostics: { ignoreCodes: [151002] } },
];
const common = {
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': tsJest },
  testEnvironment: 'node',
  // .tern/ holds the local cluster's state: etcd's own *.snap files there are not jest snapshots.
  modulePathIgnorePatterns: ['<rootDir>/dist/', '<rootDir>/.tern/'],
};
export default {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{common,operator,server,models,charts,crds,docs}/**/*.test.ts', '<rootDir>/test/bench/**/*.test.ts'] },
    {
      ...common,
      displayName: 'cluster',
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      // Benchmark helpers need no cluster: they are unit tests.
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/bench/'],
      // One local cluster per run, shared by every file (see test/cluster/jest-global-setup.js).
      globalSetup: '<rootDir>/test/cluster/jest-global-setup.js',
      globalTeardown: '<rootDir>/test/cluster/jest-global-teardown.js',
    },
  ],
};
