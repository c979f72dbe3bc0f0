// Test-only fault injection on the inference routes, for end-to-end tests of rollbacks: `--fault-5xx-ratio`
// (that share of requests answered 503, spread evenly), `--fault-delay-ms` (every answer that much later,
// counted in the latency histogram) and `--fault-version` (the faults apply only to that model version, so
// one release can carry them in spec.serving.env while only its candidate suffers). All off by default.
import type { ServerConfig } from './config.js';

/** Deterministic fault switch: exactly `ratio` of calls say "fail" (spread evenly). */
export function faultSwitch(ratio: number): () => boolean {
  let calls = 0;
  return () => {
    calls++;
    return Math.floor(calls * ratio) > Math.floor((calls - 1) * ratio);
  };
}

/** What an inference request suffers; `undefined` members are off. */
export interface Faults {
  /** Says, per request, whether to answer 503. */
  shouldFail: (() => boolean) | undefined;
  /** Milliseconds to wait before handling the request (0 = none). */
  delayMs: number;
}

/** The faults in force for this server (none when --fault-version names another model version). */
export function faultsOf(config: Pick<ServerConfig, 'fault5xxRatio' | 'faultDelayMs' | 'faultVersion' | 'modelVersion'>): Faults {
  const applies = config.faultVersion === '' || config.faultVersion === config.modelVersion;
  return {
    shouldFail: applies && config.fault5xxRatio > 0 ? faultSwitch(config.fault5xxRatio) : undefined,
    delayMs: applies ? config.faultDelayMs : 0,
  };
}

/** Runs `then` after the injected delay (at once when there is none). */
export function afterFaultDelay(faults: Faults, then: () => void): void {
  if (faults.delayMs > 0) setTimeout(then, faults.delayMs);
  else then();
}
