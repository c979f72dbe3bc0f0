/**
 * Picking a MetricsProvider from spec.rollout.analysis.provider: `pods` by default, `prometheus` when
 * asked for, with the spec's address or the operator's default address.
 */
import type { Analysis, CheckResult, ModelRelease } from '../api/model-release-schema.js';
import { analysisOf, enabledCheckNames } from './analysis-spec.js';
import { PodsMetricsProvider, type PodsProviderDeps } from './pods.js';
import { PrometheusMetricsProvider } from './prometheus.js';
import { sameForAll } from './result.js';
import type { MetricsProvider, Track } from './types.js';

/** What the providers need from the operator. */
export interface MetricsProviderDeps extends PodsProviderDeps {
  /** The operator's Prometheus address, used when the spec asks for prometheus without an address. */
  defaultPrometheusAddress?: string;
  /** Prometheus query timeout in milliseconds (default 5000). */
  prometheusTimeoutMs?: number;
  /** Least increase() range in seconds (default 30). */
  prometheusMinWindowSeconds?: number;
}

/** A provider that answers Error for every check, saying why it cannot measure. */
class MisconfiguredProvider implements MetricsProvider {
  constructor(
    readonly type: 'prometheus' | 'pods',
    readonly reason: string,
  ) {}
  measure(release: ModelRelease, track: Track, now: Date): Promise<CheckResult[]> {
    const name = `${release.metadata.namespace ?? 'default'}/${release.metadata.name}`;
    return Promise.resolve(sameForAll(enabledCheckNames(analysisOf(release)), track, 'Error', now, (check) => `${check} on ${track}: ${name}: ${this.reason}`));
  }
}

/**
 * A new provider for `provider` (spec.rollout.analysis.provider; undefined means pods).
 * The pods provider keeps the previous scrape of each pod: reuse one instance (see MetricsProviders).
 */
export function createMetricsProvider(provider: Analysis['provider'] | undefined, deps: MetricsProviderDeps): MetricsProvider {
  if ((provider?.type ?? 'pods') === 'pods') return new PodsMetricsProvider(deps);
  const address = provider?.address ?? deps.defaultPrometheusAddress;
  if (!address) {
    return new MisconfiguredProvider(
      'prometheus',
      'provider type prometheus needs spec.rollout.analysis.provider.address (or the operator flag for a default Prometheus address)',
    );
  }
  return new PrometheusMetricsProvider({
    address,
    timeoutMs: deps.prometheusTimeoutMs,
    minWindowSeconds: deps.prometheusMinWindowSeconds,
    fetch: deps.fetch,
    listTrackEndpoints: deps.listTrackEndpoints,
  });
}

/** One provider per kind and address, created on first use, shared by every release. */
export class MetricsProviders {
  readonly #deps: MetricsProviderDeps;
  readonly #byKey = new Map<string, MetricsProvider>();

  constructor(deps: MetricsProviderDeps) {
    this.#deps = deps;
  }

  /** The provider for a spec's provider field. */
  for(provider: Analysis['provider'] | undefined): MetricsProvider {
    const type = provider?.type ?? 'pods';
    const key = type === 'pods' ? 'pods' : `prometheus ${provider?.address ?? this.#deps.defaultPrometheusAddress ?? ''}`;
    let found = this.#byKey.get(key);
    if (!found) {
      found = createMetricsProvider(provider, this.#deps);
      this.#byKey.set(key, found);
    }
    return found;
  }
}
