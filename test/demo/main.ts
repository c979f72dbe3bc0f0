/**
 * `make demo` (node dist/test/demo/main.js): Tern's main job on one machine, with a live view and a
 * summary. Flags:
 *   --plain            plain line output even on a terminal (the default when stdout is not a TTY)
 *   --keep / --no-keep keep everything running after the summary until Ctrl-C (default: on a TTY)
 *   --router R         replicas (default) or gatewayAPI
 *   --replicas N       pods per track (default 4: canary steps 25/50/100 %)
 *   --rate R           requests per second through the gateway (default 40, 4 inputs each)
 *   --provider P       analysis through the pods' /metrics (pods, default) or the local Prometheus
 *   --timeout-s S      upper bound of the story (default 600)
 *   --result FILE      write the outcome as JSON (the demo test reads it)
 *   --down             only stop what an earlier demo that was killed left running (make demo-down)
 * Ctrl-C at any moment stops every process the demo started and checks that none is left.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { stopCluster } from '../cluster/cluster.js';
import { repoRoot, stateLayout } from '../cluster/paths.js';
import type { Gateway, RouterKind } from './gateway.js';
import type { Observer } from './observer.js';
import { recordedProcesses, stopRecorded, Teardown } from './processes.js';
import { runStory, type DemoResult } from './story.js';
import { renderSummary, type Act } from './summary.js';
import { startScreen, type Screen } from './terminal.js';
import type { ViewState } from './view.js';

const { values } = parseArgs({
  options: {
    plain: { type: 'boolean', default: false },
    keep: { type: 'boolean' },
    'no-keep': { type: 'boolean' },
    router: { type: 'string', default: 'replicas' },
    replicas: { type: 'string', default: '4' },
    rate: { type: 'string', default: '40' },
    provider: { type: 'string', default: 'pods' },
    'timeout-s': { type: 'string', default: '600' },
    result: { type: 'string' },
    down: { type: 'boolean', default: false },
  },
});
const usage = (msg: string): never => {
  process.stderr.write(`demo: ${msg}\n`);
  process.exit(2);
};
const router = values.router as RouterKind;
if (router !== 'replicas' && router !== 'gatewayAPI') usage(`--router is replicas or gatewayAPI, got ${values.router}`);
const provider = values.provider as 'pods' | 'prometheus';
if (provider !== 'pods' && provider !== 'prometheus') usage(`--provider is pods or prometheus, got ${values.provider}`);
const int = (name: string, v: string | undefined, min: number): number => {
  const n = Number(v);
  return Number.isInteger(n) && n >= min ? n : usage(`--${name} expects an integer >= ${min}, got ${v}`);
};
const replicas = int('replicas', values.replicas, 2);
const rate = int('rate', values.rate, 1);
const timeoutMs = int('timeout-s', values['timeout-s'], 60) * 1000;
const plain = values.plain === true || !process.stdout.isTTY;
const keep = values['no-keep'] ? false : (values.keep ?? process.stdout.isTTY === true);

const root = repoRoot();
const layout = stateLayout();
const demoDir = path.join(layout.root, 'demo');
fs.mkdirSync(demoDir, { recursive: true });
const recordFile = path.join(demoDir, 'processes.json');
// A demo that was killed (SIGKILL) could not clean up: stop what it recorded (its own cluster first, as a whole).
const stale = recordedProcesses(recordFile);
if (stale.some((p) => p.name === 'kube-apiserver')) await stopCluster(layout);
const stopped = await stopRecorded(recordFile);
if (stopped.length) process.stdout.write(`demo: stopped what an earlier, killed demo left running: ${stopped.join(', ')}\n`);
if (values.down) {
  if (stale.length === 0) process.stdout.write('demo: nothing recorded to stop\n');
  process.exit(0);
}

const startedAt = Date.now();
const teardown = new Teardown(recordFile);
const log: ViewState['log'] = [];
let act = 'starting';
let observer: Observer | undefined;
let gateway: Gateway | undefined;
let result: DemoResult | undefined;
let ownsCluster = false;
let storyDone = false;
const state = (): ViewState => {
  const release = observer?.release();
  return {
    startedAt, now: Date.now(), act, log,
    events: observer?.events() ?? [],
    ...(release ? { release } : {}),
    ...(gateway ? { split: gateway.split(), totals: gateway.totals() } : {}),
  };
};
const screen: Screen = startScreen(state, process.stdout, plain);

/** Stops everything, checks nothing is left, writes the result file, exits. */
async function finish(code: number, error?: string): Promise<never> {
  screen.stop();
  const stopT0 = Date.now();
  // The model servers' containers are tracked by the story's teardown (its pods, before they are deleted).
  const errors = await teardown.run();
  if (ownsCluster) await stopCluster(layout).catch(() => undefined); // a second pass: anything started during the first
  const leftovers = await teardown.leftovers();
  const stopMs = Date.now() - stopT0;
  const lines = [
    `demo: stopped ${teardown.pids.length} processes and ${teardown.ports.length} listeners in ${(stopMs / 1000).toFixed(1)} s; ${leftovers.length === 0 ? 'nothing left behind (pids gone, ports free)' : `STILL THERE: ${leftovers.join(', ')}`}`,
    ...errors.map((e) => `demo: while stopping ${e}`),
  ];
  screen.print(lines);
  if (leftovers.length === 0) fs.rmSync(recordFile, { force: true });
  if (values.result) {
    const release = observer?.release();
    const st = release?.status;
    fs.writeFileSync(
      values.result,
      JSON.stringify(
        {
          ok: code === 0 && error === undefined,
          exitCode: code,
          ...(error ? { error } : {}),
          durationMs: Date.now() - startedAt,
          acts: result?.acts ?? [],
          final: st ? { phase: st.phase, stable: st.stable?.version, candidate: st.candidate?.version, history: st.history ?? [] } : undefined,
          timeline: observer?.timeline() ?? [],
          totals: gateway?.totals(),
          pids: teardown.pids,
          ports: teardown.ports,
          leftovers,
          ownsCluster,
        },
        null,
        2,
      ),
    );
  }
  process.exit(leftovers.length > 0 && code === 0 ? 1 : code);
}

let interrupts = 0;
const onSignal = (signal: NodeJS.Signals) => {
  interrupts += 1;
  if (interrupts > 1) {
    // A second Ctrl-C while stopping: kill what is known at once.
    for (const p of teardown.pids) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    process.exit(130);
  }
  log.push({ at: Date.now(), text: `${signal}: stopping everything the demo started (again to force)` });
  // After a finished story (--keep), Ctrl-C is the normal way out.
  void finish(storyDone ? 0 : 130);
};
for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(s, onSignal);

try {
  result = await runStory({ root, router, replicas, rate, provider, timeoutMs }, teardown, {
    log: (text) => log.push({ at: Date.now(), text }),
    act: (title) => {
      act = title;
      log.push({ at: Date.now(), text: `== ${title}` });
    },
    ownsCluster: () => {
      ownsCluster = true;
    },
    attach: (o, g) => {
      observer = o;
      gateway = g;
    },
  });
} catch (err) {
  const message = (err as Error).message;
  log.push({ at: Date.now(), text: `FAILED: ${message}` });
  screen.stop();
  screen.print([`demo failed: ${message}`, `logs: ${path.join(demoDir, 'logs')} (operator, traffic), ${layout.logs} (cluster, pods)`]);
  await finish(1, message);
}

if (result) {
  storyDone = true;
  screen.stop();
  const done = result;
  const summary = (kept: boolean) =>
    renderSummary({
      startedAt, endedAt: Date.now(), acts: done.acts as Act[], timeline: done.observer.timeline(),
      ...(done.observer.release() ? { release: done.observer.release() } : {}),
      ...(done.gateway ? { totals: done.gateway.totals() } : {}),
      namespace: done.namespace, kubeconfig: done.kubeconfig, kubectl: done.kubectl,
      ...(done.prometheusUrl ? { prometheusUrl: done.prometheusUrl } : {}),
      logsDir: done.logsDir, manifestFile: done.manifestFile, registryFile: done.registryFile, kept,
    });
  screen.print(summary(keep));
  if (keep) {
    // Everything keeps running until Ctrl-C (onSignal -> finish); the traffic stops at --timeout-s.
    setInterval(() => undefined, 60_000);
    await new Promise(() => undefined);
  }
  await finish(0);
}
