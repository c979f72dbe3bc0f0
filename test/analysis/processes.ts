/**
 * Real processes for analysis tests and benchmarks: tern-server (bin/tern-server.js, built into dist/)
 * on loopback ports, a real Prometheus (Debian package) scraping them with the labels the cluster's
 * relabelling gives (namespace, release, track, pod), and traffic drawn from the demo dataset.
 * Everything started here is stopped by pid through the returned handles.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { drawExamples } from '../../models/dataset.js';
import { Prng } from '../../models/prng.js';
import { SERVER_NODE_FLAGS } from '../../server/node-options.js';
import { freePort } from '../cluster/free-port.js';
import { repoRoot } from '../cluster/paths.js';
import { waitFor } from '../cluster/poll.js';

/** The repository root (also when run from dist/test/analysis). */
export const ROOT = repoRoot();

// The shared helpers, re-exported for the tests that import them from here.
export { freePort, waitFor };

/** A process started here. */
export interface Started {
  process: ChildProcess;
  stop(): Promise<void>;
}

function started(child: ChildProcess, label: string): Started {
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  child.stderr?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  child.on('exit', (code, signal) => {
    if (code !== 0 && code !== null && signal === null) process.stderr.write(`${label} exited with ${code}:\n${output}\n`);
  });
  return {
    process: child,
    stop: () =>
      new Promise<void>((ok) => {
        if (child.exitCode !== null || child.signalCode !== null) return ok();
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.once('exit', () => {
          clearTimeout(timer);
          ok();
        });
        child.kill('SIGTERM');
      }),
  };
}

/** A running tern-server. */
export interface TernServer extends Started {
  name: string;
  port: number;
  url: string;
}

/** Options of a tern-server process. */
export interface TernServerOptions {
  name: string;
  version?: string;
  baselineScore?: number;
  fault5xxRatio?: number;
}

/** Start tern-server serving models/species/species-VERSION.onnx from file:// and wait until ready. */
export async function startTernServer(o: TernServerOptions): Promise<TernServer> {
  const main = join(ROOT, 'dist/server/main.js');
  if (!existsSync(main)) throw new Error(`${main} is missing: run \`make build\` first`);
  const version = o.version ?? '1.1.0';
  const port = await freePort();
  const args = [
    ...SERVER_NODE_FLAGS, // as the image runs it
    join(ROOT, 'bin/tern-server.js'),
    '--model-url', `file://${join(ROOT, `models/species/species-${version}.onnx`)}`,
    '--model-version', version,
    '--host', '127.0.0.1',
    '--port', String(port),
    '--workers', '1',
    '--intra-op-threads', '1',
    '--cache-dir', join(tmpdir(), 'tern-analysis-model-cache'),
  ];
  if (o.baselineScore !== undefined) args.push('--baseline-score', String(o.baselineScore));
  if (o.fault5xxRatio) args.push('--fault-5xx-ratio', String(o.fault5xxRatio));
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const server: TernServer = { ...started(child, `tern-server ${o.name}`), name: o.name, port, url: `http://127.0.0.1:${port}` };
  try {
    await waitFor(`tern-server ${o.name} to be ready`, async () => (await fetch(`${server.url}/readyz`)).ok, 60_000);
  } catch (err) {
    await server.stop();
    throw err;
  }
  return server;
}

/** Status codes of the answered requests. */
export type TrafficResult = Record<string, number>;

/** Options of a traffic burst. */
export interface TrafficOptions {
  requests: number;
  rowsPerRequest?: number;
  /** 0 = the training distribution; 1 = strongly shifted (see models/dataset.ts). */
  drift?: number;
  /** Share of inputs that are targets (default 0.8, the live mix). */
  targetRatio?: number;
  seed?: number;
  concurrency?: number;
}

/** Send `requests` POST /v1/predict requests, spread over the servers in turn. */
export async function sendTraffic(servers: { url: string }[], o: TrafficOptions): Promise<TrafficResult> {
  const rng = new Prng(o.seed ?? 1);
  const codes: TrafficResult = {};
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < o.requests) {
      const i = next++;
      const target = servers[i % servers.length] as { url: string };
      const instances = drawExamples(rng, o.rowsPerRequest ?? 1, { drift: o.drift ?? 0, targetRatio: o.targetRatio ?? 0.8 }).map((e) => e.features);
      const res = await fetch(`${target.url}/v1/predict`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ instances }),
      });
      await res.arrayBuffer();
      codes[res.status] = (codes[res.status] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: o.concurrency ?? 4 }, worker));
  return codes;
}

/** A scrape target with the labels Prometheus' relabelling gives pod targets in the cluster. */
export interface ScrapeTarget {
  address: string;
  labels: { namespace: string; release: string; track: string; pod: string };
}

/** A running Prometheus. */
export interface PrometheusProcess extends Started {
  url: string;
}

/** Start Prometheus scraping `targets` every `scrapeIntervalS` seconds; wait until every target is up. */
export async function startPrometheus(targets: ScrapeTarget[], scrapeIntervalS = 1): Promise<PrometheusProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'tern-analysis-prometheus-'));
  const port = await freePort();
  const config = {
    global: { scrape_interval: `${scrapeIntervalS}s`, evaluation_interval: `${scrapeIntervalS}s` },
    scrape_configs: [
      { job_name: 'tern-server', static_configs: targets.map((t) => ({ targets: [t.address], labels: t.labels })) },
    ],
  };
  writeFileSync(join(dir, 'prometheus.yml'), JSON.stringify(config));
  const child = spawn(
    'prometheus',
    [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const base = started(child, 'prometheus');
  const prom: PrometheusProcess = {
    ...base,
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      await base.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await waitFor('Prometheus to be ready', async () => (await fetch(`${prom.url}/-/ready`)).ok, 30_000);
    await waitFor(
      'every target to be up in Prometheus',
      async () => {
        const body = (await (await fetch(`${prom.url}/api/v1/query?query=${encodeURIComponent('sum(up{job="tern-server"})')}`)).json()) as {
          data: { result: { value: [number, string] }[] };
        };
        return Number(body.data.result[0]?.value[1] ?? 0) === targets.length;
      },
      30_000,
      250,
    );
  } catch (err) {
    await prom.stop();
    throw err;
  }
  return prom;
}
