// Test-only fault injection on the inference routes, for end-to-end tests of rollbacks: `--fault-5xx-ratio`
// (that share of requests answered 503, spread evenly), `--fault-delay-ms` (every answer that much later,
// counted in the latency histogram), `--fault-exit-after N` (the process exits with code 1 on its Nth
// inference request, as a native crash would: a crash loop once restarted) and `--fault-version` (the faults apply only to that model version, so
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
  /** Called once per inference request: crashes the process on the Nth (undefined when off). */
  countForCrash: (() => void) | undefined;
}

/** The faults in force for this server (none when --fault-version names another model version). */
export function faultsOf(
  config: Pick<ServerConfig, 'fault5xxRatio' | 'faultDelayMs' | 'faultExitAfter' | 'faultVersion' | 'modelVersion'>,
  exit: (code: number) => void = (code) => process.exit(code),
): Faults {
  const applies = config.faultVersion === '' || config.faultVersion === config.modelVersion;
  let requests = 0;
  return {
    shouldFail: applies && config.fault5xxRatio > 0 ? faultSwitch(config.fault5xxRatio) : undefined,
    delayMs: applies ? config.faultDelayMs : 0,
    countForCrash: applies && config.faultExitAfter > 0
      ? () => {
          if (++requests !== config.faultExitAfter) return;
          process.stderr.write(`tern-server: injected crash (--fault-exit-after ${config.faultExitAfter}); not a real failure\n`);
          exit(1);
        }
      : undefined,
  };
}

/** Runs `then` after the injected delay (at once when there is none). */
export function afterFaultDelay(faults: Faults, then: () => void): void {
  if (faults.delayMs > 0) setTimeout(then, faults.delayMs);
  else then();
}
