// `tern-traffic --url http://127.0.0.1:8080 [--url ...] [--rate 50] [--concurrency 4] [--count 1000]
//  [--duration-s 60] [--batch 1] [--drift 0] [--target-ratio 0.8] [--seed 1] [--json]`
// Sends demo traffic to loopback tern-servers and prints a summary (JSON with --json).
import { runTraffic, type TrafficOptions } from './traffic.js';

const args = process.argv.slice(2);
const urls: string[] = [];
const values = new Map<string, string>();
let json = false;
for (let i = 0; i < args.length; i++) {
  const a = args[i] as string;
  if (a === '--json') json = true;
  else if (a === '--help' || a === '-h') {
    process.stdout.write('usage: tern-traffic --url URL [--url URL ...] [--rate R/s (0 = unlimited)] [--concurrency N] [--count N] [--duration-s S] [--batch N] [--drift 0..1] [--target-ratio 0..1] [--seed N] [--json]\n');
    process.exit(0);
  } else if (a === '--url') urls.push(...(args[++i] ?? '').split(',').filter(Boolean));
  else if (a.startsWith('--')) values.set(a.slice(2), args[++i] ?? '');
  else {
    process.stderr.write(`tern-traffic: unexpected argument ${a}\n`);
    process.exit(2);
  }
}
const num = (name: string, fallback: number): number => {
  const v = values.get(name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n)) {
    process.stderr.write(`tern-traffic: --${name} expects a number, got "${v}"\n`);
    process.exit(2);
  }
  return n;
};
const options: TrafficOptions = {
  urls, rate: num('rate', 50), concurrency: Math.max(1, num('concurrency', 4)), count: num('count', 1000),
  durationSeconds: num('duration-s', 60), batch: Math.max(1, num('batch', 1)), drift: num('drift', 0),
  targetRatio: num('target-ratio', 0.8), seed: num('seed', 1),
};
if (urls.length === 0) {
  process.stderr.write('tern-traffic: give at least one --url http://127.x.y.z:PORT\n');
  process.exit(2);
}
try {
  const summary = await runTraffic(options);
  if (json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  else {
    process.stdout.write(
      `requests=${summary.requests} predictions=${summary.predictions} status=${JSON.stringify(summary.by_status)} ` +
        `transport_errors=${summary.transport_errors} rejected=${summary.rejected} target_score_mean=${summary.target_score_mean} ` +
        `p50=${summary.latency_ms.p50}ms p95=${summary.latency_ms.p95}ms p99=${summary.latency_ms.p99}ms ` +
        `rate=${summary.requests_per_s}/s duration=${summary.duration_s}s versions=${JSON.stringify(summary.by_version)}\n`,
    );
  }
} catch (err) {
  process.stderr.write(`tern-traffic: ${(err as Error).message}\n`);
  process.exit(1);
}
