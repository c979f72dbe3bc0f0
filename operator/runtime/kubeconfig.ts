/**
 * Finds the cluster the way kubectl does: an explicit `--kubeconfig` path, else `KUBECONFIG`
 * (a path list, merged, first file wins), else `~/.kube/config`, else the in-cluster service
 * account (`KUBERNETES_SERVICE_HOST` + the mounted token and CA). Unlike client-node's
 * loadFromDefault, it never falls back to http://localhost:8080: no cluster found is an error
 * that says what was tried.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';

/** Where the configuration came from. */
export type KubeConfigSource = 'flag' | 'KUBECONFIG' | 'home' | 'in-cluster';

/** Inputs of {@link loadKubeConfig}; defaults read the process environment. */
export interface LoadKubeConfigOptions {
  /** A kubeconfig file given on the command line. */
  kubeconfigPath?: string;
  /** Context to use instead of the file's current-context. */
  context?: string;
  env?: NodeJS.ProcessEnv;
  homeDir?: string;
  /** The service-account directory (tests). */
  serviceAccountDir?: string;
}

/** A loaded KubeConfig and where it was found. */
export interface LoadedKubeConfig {
  kubeConfig: KubeConfig;
  source: KubeConfigSource;
  /** The file(s) read, or the service-account directory. */
  from: string;
}

const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

function loadFiles(files: string[]): KubeConfig {
  const kc = new KubeConfig();
  const [first, ...rest] = files;
  if (!first) throw new Error('no kubeconfig file given');
  kc.loadFromFile(first);
  for (const file of rest) {
    if (!fs.existsSync(file)) continue; // kubectl skips missing files in KUBECONFIG too
    const more = new KubeConfig();
    more.loadFromFile(file);
    kc.mergeConfig(more, true);
  }
  return kc;
}

/** Loads the cluster configuration like kubectl; throws with what was tried when none is found. */
export function loadKubeConfig(options: LoadKubeConfigOptions = {}): LoadedKubeConfig {
  const env = options.env ?? process.env;
  let loaded: LoadedKubeConfig | undefined;
  if (options.kubeconfigPath) {
    loaded = { kubeConfig: loadFiles([options.kubeconfigPath]), source: 'flag', from: options.kubeconfigPath };
  } else if (env['KUBECONFIG']) {
    const files = env['KUBECONFIG'].split(path.delimiter).filter(Boolean);
    loaded = { kubeConfig: loadFiles(files), source: 'KUBECONFIG', from: files.join(path.delimiter) };
  } else {
    const home = path.join(options.homeDir ?? os.homedir(), '.kube', 'config');
    const saDir = options.serviceAccountDir ?? SERVICE_ACCOUNT_DIR;
    if (fs.existsSync(home)) {
      loaded = { kubeConfig: loadFiles([home]), source: 'home', from: home };
    } else if (env['KUBERNETES_SERVICE_HOST'] && fs.existsSync(path.join(saDir, 'token'))) {
      const kc = new KubeConfig();
      // loadFromCluster reads KUBERNETES_SERVICE_HOST/PORT from process.env; the prefix moves the token/CA paths.
      kc.loadFromCluster(saDir === SERVICE_ACCOUNT_DIR ? '' : saDir.slice(0, saDir.length - SERVICE_ACCOUNT_DIR.length));
      loaded = { kubeConfig: kc, source: 'in-cluster', from: saDir };
    } else {
      throw new Error(
        `no Kubernetes cluster found: pass --kubeconfig, set KUBECONFIG, write ${home}, ` +
          `or run in a pod (KUBERNETES_SERVICE_HOST and ${saDir}/token)`,
      );
    }
  }
  if (options.context) {
    if (!loaded.kubeConfig.getContextObject(options.context)) {
      throw new Error(`kubeconfig ${loaded.from} has no context ${options.context}`);
    }
    loaded.kubeConfig.setCurrentContext(options.context);
  }
  if (!loaded.kubeConfig.getCurrentCluster()) {
    throw new Error(`kubeconfig ${loaded.from} has no current cluster (current-context "${loaded.kubeConfig.getCurrentContext()}")`);
  }
  return loaded;
}
