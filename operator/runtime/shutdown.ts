/**
 * Graceful shutdown on SIGTERM/SIGINT: run the steps in order (stop the work queue and wait for
 * in-flight reconciles, release the leader lease, stop informers, flush events, close the HTTP
 * server), each bounded by a timeout, then exit 0. A second signal exits 1 at once.
 * Kubernetes sends SIGTERM and waits terminationGracePeriodSeconds (30 s by default) before
 * SIGKILL; the default overall budget of 20 s stays well inside it.
 */
import type { EventEmitter } from 'node:events';
import { silentLogger, type Logger } from '../../common/log.js';

/** One shutdown step. */
export interface ShutdownStep {
  name: string;
  run(): Promise<void> | void;
}

/** Options of {@link installShutdown}. */
export interface ShutdownOptions {
  steps: ShutdownStep[];
  /** Time allowed per step (default 10 s) and overall (default 20 s). */
  stepTimeoutMs?: number;
  totalTimeoutMs?: number;
  signals?: NodeJS.Signals[];
  /** Where signals come from and how to exit (default: the process; tests inject). */
  signalSource?: Pick<EventEmitter, 'on' | 'off'>;
  exit?: (code: number) => void;
  logger?: Logger;
}

function withTimeout(p: Promise<void>, ms: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
    t.unref();
    p.then(
      () => {
        clearTimeout(t);
        resolve();
      },
      (err: unknown) => {
        clearTimeout(t);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

/** Runs the steps in order; a failing or slow step is logged and the next one still runs. Resolves true when all succeeded. */
export async function runShutdown(steps: ShutdownStep[], stepTimeoutMs = 10_000, logger: Logger = silentLogger): Promise<boolean> {
  let allOk = true;
  for (const step of steps) {
    const started = Date.now();
    try {
      await withTimeout(Promise.resolve().then(() => step.run()), stepTimeoutMs, step.name);
      logger.info('shutdown step done', { step: step.name, ms: Date.now() - started });
    } catch (err) {
      allOk = false;
      logger.error('shutdown step failed', { step: step.name, err });
    }
  }
  return allOk;
}

/**
 * Installs signal handlers that run the shutdown steps once. Returns `{ shutdown, uninstall }`:
 * `shutdown()` runs the same sequence programmatically (e.g. after losing leadership).
 */
export function installShutdown(options: ShutdownOptions): { shutdown: (code?: number) => Promise<void>; uninstall: () => void } {
  const source = options.signalSource ?? process;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const log = options.logger ?? silentLogger;
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  const total = options.totalTimeoutMs ?? 20_000;
  let running: Promise<void> | undefined;

  const shutdown = (code = 0): Promise<void> => {
    if (running) return running;
    running = (async () => {
      const deadline = setTimeout(() => {
        log.error('shutdown took too long; exiting', { totalTimeoutMs: total });
        exit(1);
      }, total);
      deadline.unref();
      const ok = await runShutdown(options.steps, options.stepTimeoutMs ?? 10_000, log);
      clearTimeout(deadline);
      exit(ok ? code : 1);
    })();
    return running;
  };

  const onSignal = (signal: NodeJS.Signals): void => {
    if (running) {
      log.warn('second signal; exiting now', { signal });
      exit(1);
      return;
    }
    log.info('shutting down', { signal });
    void shutdown(0);
  };
  for (const s of signals) source.on(s, onSignal);
  return {
    shutdown,
    uninstall: () => {
      for (const s of signals) source.off(s, onSignal);
    },
  };
}
