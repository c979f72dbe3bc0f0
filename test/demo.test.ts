// `make demo` run non-interactively (plain output, no TTY) on this jest run's local cluster: the whole
// story must end with 1.1.0 promoted and 1.2.0 rolled back by the operator (stable still 1.1.0), as seen
// by the API independently of the demo's own output; while it keeps running after the summary (--keep),
// the real `tern registry record` writes that outcome into the demo's registry copy, and a second run
// changes no byte; and whether it ends with Ctrl-C after the summary or is interrupted with Ctrl-C
// (SIGINT) in the middle, nothing it started may be left: processes gone, ports free, its pods gone.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { ModelRelease } from '../operator/api/model-release-schema.js';
import { MODEL_RELEASES } from '../operator/api/resource.js';
import { PODS } from '../operator/runtime/resources.js';
import { ROOT } from './analysis/processes.js';
import { podContainerPids } from './cluster/node/container-processes.js';
import { testCluster, withClusterLogs } from './cluster/test-env.js';
import { isAlive, isPortFree, type ProcessRecordFile } from './demo/processes.js';
import { DEMO_NAMESPACE, RELEASE_NAME } from './demo/story.js';
import { apiClient } from './operator/harness.js';

const cluster = testCluster();
const { client, close } = apiClient();
const stateDir = cluster.layout.root;
const recordFile = path.join(stateDir, 'demo', 'processes.json');
const registryCopy = path.join(stateDir, 'demo', 'registry.json');

afterAll(() => {
  close();
  cluster.kube.close();
});

interface Run {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

function startDemo(args: string[]): Run {
  const child = spawn(process.execPath, [path.join(ROOT, 'dist/test/demo/main.js'), '--plain', ...args], {
    cwd: ROOT,
    env: { ...process.env, TERN_STATE_DIR: stateDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
  return { child, output: () => out, exited };
}

async function release(): Promise<ModelRelease | undefined> {
  return client.get<ModelRelease & KubernetesObject>(MODEL_RELEASES, DEMO_NAMESPACE, RELEASE_NAME).catch(() => undefined);
}

/** The processes of the demo namespace's containers (found by their container ids in /proc). */
async function demoPodPids(): Promise<number[]> {
  const { items } = await client.list<KubernetesObject & { status?: { containerStatuses?: { containerID?: string }[] } }>(PODS, { namespace: DEMO_NAMESPACE });
  return items.flatMap((p) => podContainerPids(p));
}

async function expectNothingLeft(record: ProcessRecordFile, podPids: number[]): Promise<void> {
  expect(record.pids.length).toBeGreaterThan(0);
  for (const p of [...record.pids.map((x) => x.pid), ...podPids]) expect({ pid: p, alive: isAlive(p) }).toEqual({ pid: p, alive: false });
  for (const p of record.ports) expect({ ...p, free: await isPortFree(p.port) }).toEqual({ ...p, free: true });
  const { items } = await client.list(PODS, { namespace: DEMO_NAMESPACE });
  expect(items).toHaveLength(0);
}

const withOutput = <T>(run: () => Run | undefined, body: () => Promise<T>) =>
  withClusterLogs(cluster, async () => {
    try {
      return await body();
    } catch (err) {
      const out = run()?.output() ?? '';
      const operatorLog = path.join(stateDir, 'demo', 'logs', 'tern-operator.log');
      if (err instanceof Error) err.message += `\n\n==== demo output ====\n${out.slice(-8000)}\n==== tern-operator (tail) ====\n${fs.existsSync(operatorLog) ? fs.readFileSync(operatorLog, 'utf8').slice(-4000) : ''}`;
      throw err;
    }
  });

/** `tern registry record species` (the real CLI, like a user in `make cluster-shell`) into the demo's registry copy. */
function recordIntoCopy(): { stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin/tern.js'), 'registry', 'record', 'species', '-n', DEMO_NAMESPACE, '--registry', registryCopy], {
    cwd: ROOT,
    env: { ...process.env, KUBECONFIG: cluster.kubeconfig },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`tern registry record exited ${r.status}: ${r.stderr}${r.stdout}`);
  return { stdout: r.stdout, stderr: r.stderr };
}

interface RecordedCheck { name: string; track: string; outcome: string; value?: number; threshold?: string }
interface RecordedEntry {
  name: string;
  stage?: string;
  release_results?: {
    release: string; version: string; outcome: string; started_at: string; finished_at: string; reason?: string;
    failed_check?: RecordedCheck;
    steps?: Array<{ step?: number; weight: number; seconds: number; checks: RecordedCheck[] }>;
  };
}

/** Records the demo's release into its registry copy twice: the outcome lands in the entries, the second run changes nothing. */
async function expectRecorded(): Promise<void> {
  const before = fs.readFileSync(registryCopy, 'utf8');
  const first = recordIntoCopy();
  expect(first.stdout).toMatch(/species-1\.1\.0: stage production \(Promoted 1\.1\.0/);
  expect(first.stdout).toMatch(/species-1\.2\.0: stage rolled_back \(RolledBack 1\.2\.0/);
  const recorded = fs.readFileSync(registryCopy, 'utf8');
  const second = recordIntoCopy();
  expect(second.stdout).toMatch(/already up to date/);
  expect(fs.readFileSync(registryCopy, 'utf8')).toBe(recorded); // byte for byte

  const doc = JSON.parse(recorded) as { active: string; models: RecordedEntry[] };
  const entry = (name: string) => doc.models.find((m) => m.name === name) as RecordedEntry;
  // Nothing but stage and release_results changed.
  const strip = (d: { models: RecordedEntry[] }) => ({ ...d, models: d.models.map(({ stage: _s, release_results: _r, ...rest }) => rest) });
  expect(strip(doc)).toEqual(JSON.parse(before));
  expect(doc.active).toBe('species-1.2.0');

  const good = entry('species-1.1.0');
  expect(good.stage).toBe('production');
  expect(good.release_results).toMatchObject({ release: `${DEMO_NAMESPACE}/species`, version: '1.1.0', outcome: 'Promoted' });
  expect(good.release_results?.steps?.map((s) => `${s.step}:${s.weight}`)).toEqual(['1:25', '2:50', '3:100']);
  for (const step of good.release_results?.steps ?? []) expect(step.checks.map((c) => c.name)).toContain('drift');

  const bad = entry('species-1.2.0');
  expect(bad.stage).toBe('rolled_back');
  expect(bad.release_results).toMatchObject({ release: `${DEMO_NAMESPACE}/species`, version: '1.2.0', outcome: 'RolledBack' });
  const failed = bad.release_results?.failed_check;
  expect(failed).toMatchObject({ name: 'drift', track: 'canary', outcome: 'Failed', value: expect.any(Number), threshold: '< 0.1' });
  expect(failed?.value).toBeGreaterThan(0.1); // 1.2.0's score mean is ~0.4 below its baseline; the limit is a drop of 0.10
  const lastStep = bad.release_results?.steps?.at(-1);
  expect(lastStep?.weight).toBe(25);
  expect(lastStep?.checks).toContainEqual(failed);

  expect(entry('species-1.0.0').stage).toBe('retired');
}

describe('make demo (non-interactive)', () => {
  let run: Run | undefined;

  it('releases 1.1.0 to Healthy, then 1.2.0 drifts and the operator rolls it back; stable stays 1.1.0; tern registry record writes it into the registry copy, once; nothing left behind', () =>
    withOutput(() => run, async () => {
      const resultFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tern-demo-')), 'result.json');
      const t0 = Date.now();
      // --keep: everything keeps running after the summary until Ctrl-C, so the release can be recorded.
      run = startDemo(['--keep', '--result', resultFile, '--timeout-s', '420']);
      // Watch the release through the API, independently of what the demo prints.
      const seen: string[] = [];
      let code: number | null | undefined;
      void run.exited.then((c) => (code = c));
      let podPids: number[] = [];
      while (code === undefined && !run.output().includes('Everything keeps running so you can look around')) { // the kept summary's last line
        const r = await release();
        const st = r?.status;
        if (st) {
          const label = `${st.phase}:${st.stable?.version ?? '-'}:${st.candidate?.version ?? '-'}`;
          if (seen[seen.length - 1] !== label) seen.push(label);
        }
        const pids = await demoPodPids();
        if (pids.length) podPids = [...new Set([...podPids, ...pids])];
        await new Promise((ok) => setTimeout(ok, 300));
      }
      expect(code).toBeUndefined(); // the summary is out and everything still runs
      // One more look: the summary can come out within a polling round of the rollback (--keep holds the state).
      const last = (await release())?.status;
      if (last) {
        const label = `${last.phase}:${last.stable?.version ?? '-'}:${last.candidate?.version ?? '-'}`;
        if (seen[seen.length - 1] !== label) seen.push(label);
      }
      const storySeconds = Math.round((Date.now() - t0) / 1000);
      expect(run.output()).toContain(`tern registry record species -n ${DEMO_NAMESPACE} --registry ${registryCopy}`);
      await expectRecorded();
      run.child.kill('SIGINT'); // the normal way out after the summary: exit 0
      code = await Promise.race([run.exited, new Promise<'timeout'>((ok) => setTimeout(() => ok('timeout'), 90_000).unref())]) as number | null;
      expect(code).toBe(0);
      const healthy110 = seen.findIndex((l) => l.startsWith('Healthy:1.1.0'));
      const rolledBack = seen.findIndex((l) => l === 'RolledBack:1.1.0:1.2.0');
      expect({ seen, healthy110: healthy110 >= 0, rolledBack: rolledBack > healthy110 }).toMatchObject({ healthy110: true, rolledBack: true });
      expect(seen.some((l) => l.startsWith('Canary:1.1.0:1.2.0'))).toBe(true); // 1.2.0 got live traffic before the rollback

      const result = JSON.parse(fs.readFileSync(resultFile, 'utf8')) as {
        ok: boolean;
        final: { phase: string; stable: string; candidate: string; history: Array<{ version: string; outcome: string }> };
        leftovers: string[];
        totals: { requests: number; byVersion: Record<string, number> };
      } & ProcessRecordFile;
      expect(result.ok).toBe(true);
      expect(result.final).toMatchObject({ phase: 'RolledBack', stable: '1.1.0', candidate: '1.2.0' });
      expect(result.final.history.slice(0, 3).map((h) => `${h.version}:${h.outcome}`)).toEqual(['1.2.0:RolledBack', '1.1.0:Promoted', '1.0.0:Promoted']);
      expect(result.leftovers).toEqual([]);
      expect(result.totals.requests).toBeGreaterThan(100);
      expect(Object.keys(result.totals.byVersion)).toEqual(expect.arrayContaining(['1.0.0', '1.1.0 (candidate)', '1.2.0 (candidate)']));

      const out = run.output();
      expect(out.includes('\u001b[')).toBe(false); // no terminal escapes without a TTY
      expect(out).toMatch(/Tern demo: done in \d+s/);
      expect(out).toMatch(/check FAIL drift/);
      expect(out).toMatch(/nothing left behind/);
      await expectNothingLeft(result, podPids);
      process.stderr.write(`demo story took ${storySeconds} s on the shared cluster (${Math.round((Date.now() - t0) / 1000)} s with recording and stopping)\n`);
    }), 480_000);

  it('Ctrl-C (SIGINT) in the middle of a canary stops every process it started and frees every port', () =>
    withOutput(() => run, async () => {
      run = startDemo(['--no-keep', '--timeout-s', '300']);
      let podPids: number[] = [];
      const deadline = Date.now() + 240_000;
      for (;;) {
        const st = (await release())?.status;
        const pids = await demoPodPids();
        if (pids.length) podPids = [...new Set([...podPids, ...pids])];
        if (st?.phase === 'Canary' && st.candidate?.version === '1.1.0') break;
        if (Date.now() > deadline) throw new Error(`the demo never reached the 1.1.0 canary (last phase ${st?.phase ?? '-'})`);
        if (run.child.exitCode !== null) throw new Error(`the demo exited early with ${run.child.exitCode}`);
        await new Promise((ok) => setTimeout(ok, 300));
      }
      const record = JSON.parse(fs.readFileSync(recordFile, 'utf8')) as ProcessRecordFile;
      expect(record.pids.map((p) => p.name)).toEqual(expect.arrayContaining(['tern-operator', 'tern-traffic']));
      run.child.kill('SIGINT');
      const code = await Promise.race([run.exited, new Promise<'timeout'>((ok) => setTimeout(() => ok('timeout'), 90_000).unref())]);
      expect(code).toBe(130);
      expect(run.output()).toMatch(/nothing left behind/);
      await expectNothingLeft(record, podPids);
    }), 330_000);
});
