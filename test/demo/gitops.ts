/**
 * The GitOps path of the demo: a copy of models/registry.json under `.tern/demo/`, where "releasing a
 * model" means changing `active` (what a data scientist commits); the ModelRelease is rendered from it
 * by the real `tern registry render`, the demo's settings are laid over it (like a kustomize patch:
 * replicas, router, short pauses), and the result is applied with kubectl (server-side apply).
 * test/registry-runbook.test.ts takes the same path with a runbook-shaped registry of its own.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import type { ModelRelease } from '../../operator/api/model-release-schema.js';
import type { RouterKind } from './gateway.js';

/** The demo's settings laid over every rendered manifest. */
export interface DemoOverlay {
  replicas: number;
  router: RouterKind;
  /** Analysis through the pods' /metrics (default) or the local Prometheus at this address. */
  prometheusAddress?: string;
}

/**
 * The spec fields the demo sets on top of the rendered manifest: short pauses so the story takes
 * minutes, analysis every 5 s. With the replicas router the steps match the pod granularity (1/replicas).
 * Noise: a score mean over n live inputs varies by about 0.3/sqrt(n), so a good model's first
 * measurement on a few dozen scores can cross the 0.10 drift limit by chance. Hence one failed
 * measurement is tolerated (the next one rests on hundreds of scores; a drifting model fails both),
 * and the servers' own drift alarm waits for 200 scores (TERN_DRIFT_MIN_SAMPLES, default 50).
 */
export function overlaySpec(o: DemoOverlay): Pick<ModelRelease['spec'], 'serving' | 'traffic' | 'rollout'> {
  const steps =
    o.router === 'replicas' && o.replicas === 4
      ? [25, 50, 100]
      : o.router === 'replicas'
        ? [...new Set([Math.max(1, Math.round(100 / o.replicas)), 50, 100])].sort((a, b) => a - b)
        : [20, 50, 100];
  const pause = (w: number) => (w === 100 ? '10s' : '20s');
  return {
    serving: { replicas: o.replicas, env: [{ name: 'TERN_DRIFT_MIN_SAMPLES', value: '200' }] } as NonNullable<ModelRelease['spec']['serving']>,
    traffic: { router: o.router } as NonNullable<ModelRelease['spec']['traffic']>,
    rollout: {
      staging: { minDuration: '2s' },
      steps: steps.map((w) => ({ setWeight: w, pause: pause(w) })),
      analysis: {
        interval: '5s',
        minSampleCount: 30,
        failureLimit: 1,
        ...(o.prometheusAddress ? { provider: { type: 'prometheus', address: o.prometheusAddress } } : {}),
      },
    } as NonNullable<ModelRelease['spec']['rollout']>,
  };
}

/** Spec fields laid over every rendered manifest (the model itself always comes from the registry). */
export type SpecOverlay = Partial<Omit<ModelRelease['spec'], 'model'>>;

/** The demo's working copy of the registry and the manifests rendered from it. */
export class GitOpsRepo {
  readonly registryFile: string;
  readonly manifestFile: string;
  readonly #root: string;
  readonly #namespace: string;
  readonly #weightsBaseUrl: string;
  readonly #overlay: SpecOverlay;

  /**
   * Works on `registryFile` in place when given (tests bring their own registry, with its metrics
   * reports beside it), else on a copy of `<root>/models/registry.json` in `dir`; manifests go to `dir`.
   */
  constructor(o: { root: string; dir: string; namespace: string; weightsBaseUrl: string; overlay: SpecOverlay; registryFile?: string }) {
    this.#root = o.root;
    this.#namespace = o.namespace;
    this.#weightsBaseUrl = o.weightsBaseUrl;
    this.#overlay = o.overlay;
    this.manifestFile = path.join(o.dir, 'modelrelease.yaml');
    if (o.registryFile !== undefined) this.registryFile = o.registryFile;
    else {
      this.registryFile = path.join(o.dir, 'registry.json');
      fs.copyFileSync(path.join(o.root, 'models', 'registry.json'), this.registryFile);
    }
  }

  /** Sets `active` (the commit a data scientist makes); the file keeps its formatting otherwise. */
  setActive(entry: string): void {
    const doc = JSON.parse(fs.readFileSync(this.registryFile, 'utf8')) as { active: string; models: Array<{ name: string }> };
    if (!doc.models.some((m) => m.name === entry)) throw new Error(`${this.registryFile}: no entry ${entry}`);
    doc.active = entry;
    fs.writeFileSync(this.registryFile, `${JSON.stringify(doc, null, 2)}\n`);
  }

  /** `tern registry render` of the active entry with the overlay; writes and returns the manifest. */
  render(): ModelRelease {
    const out = execFileSync(
      process.execPath,
      [path.join(this.#root, 'bin', 'tern.js'), 'registry', 'render', this.registryFile, '--namespace', this.#namespace, '--weights-base-url', this.#weightsBaseUrl],
      { cwd: this.#root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const release = parse(out) as ModelRelease;
    release.spec = { ...release.spec, ...this.#overlay };
    fs.writeFileSync(this.manifestFile, `# Rendered by \`tern registry render ${path.basename(this.registryFile)}\` + an overlay (test/demo/gitops.ts)\n${stringify(release)}`);
    return release;
  }

  /** Applies the rendered manifest with kubectl (server-side apply, field manager tern-demo). */
  apply(kubectl: string, kubeconfig: string): void {
    try {
      execFileSync(kubectl, ['apply', '--server-side', '--force-conflicts', '--field-manager=tern-demo', '-f', this.manifestFile], {
        env: { ...process.env, KUBECONFIG: kubeconfig },
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (err) {
      throw new Error(`kubectl apply -f ${this.manifestFile} failed: ${(err as { stderr?: string }).stderr ?? (err as Error).message}`);
    }
  }
}
