// The JSON.parse floor for the benchmark (server-bench.ts): started with tern-server's node flags, it parses
// one request body (a file) over and over for the given time, exactly as the old OIP JSON path began
// (`JSON.parse(body.toString('utf8'))`), and prints what that costs per body: the CPU of the whole process
// (main thread, GC helper threads) and the wall time of each parse. Nothing else runs in it.
import { readFileSync } from 'node:fs';

const [file, msText] = process.argv.slice(2);
if (!file || !msText) throw new Error('usage: json-parse-floor.js BODY_FILE MS');
const body = readFileSync(file);
let sink = 0;
const parse = (): void => {
  const doc = JSON.parse(body.toString('utf8')) as { inputs?: unknown[] };
  sink += doc.inputs?.length ?? 0;
};
for (let i = 0; i < 20; i++) parse();
const latencies: number[] = [];
const cpu0 = process.cpuUsage();
const start = performance.now();
const end = start + Number(msText);
while (performance.now() < end) {
  const t0 = performance.now();
  parse();
  latencies.push(performance.now() - t0);
}
const wallMs = performance.now() - start;
const cpu = process.cpuUsage(cpu0);
process.stdout.write(`${JSON.stringify({ n: latencies.length, wallMs, userMs: cpu.user / 1000, systemMs: cpu.system / 1000, latencies, sink })}\n`);
