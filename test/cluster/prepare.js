// Prepares what a command needs before it meets the local cluster, OUTSIDE the `tern` network namespace
// (the only place where the package registries can be reached), with a live progress view:
//   node test/cluster/prepare.js demo | test | cluster | chart
// Independent work runs side by side: npm ci, tsc, then the container images on one side, the Go builds
// (one at a time: each uses every core) on the other, apt-get beside them. Nothing cached is redone. Each task's output goes to
// .tern/prepare/<task>.log (its tail is printed when it fails); each task's duration is recorded in
// $TERN_CACHE_DIR/timings.json, which gives the next run its estimates (DEFAULT_SECONDS before that).
// Plain JavaScript without dependencies: it runs before `npm ci` and `tsc`.
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setInterval, clearInterval } from 'node:timers';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const cache = process.env.TERN_CACHE_DIR ?? path.join(os.homedir(), '.cache', 'tern');
const logDir = path.join(root, '.tern', 'prepare');
const timingsFile = path.join(cache, 'timings.json');
const buildBinaries = path.join(root, 'test', 'cluster', 'build-binaries.sh');
const helmBuild = path.join(root, 'charts', 'tools', 'helm', 'build.sh');
const argocdLuaBuild = path.join(root, 'charts', 'tools', 'argocd-lua', 'build.sh');
const imagesDir = path.join(root, 'test', 'cluster', 'images');

/**
 * Durations of a first run on the 2-core development machine (2026-12-02, empty Go caches; node: 2026-12-03,
 * measured after the k8s task, as prepare.js runs it, so its GOCACHE holds the shared Kubernetes packages), used as
 * estimates until this machine has recorded its own. docs/benchmarks.md has the table.
 */
export const DEFAULT_SECONDS = {
  npm: 40, build: 30, 'debian-cluster': 20, 'debian-chart': 40, 'debian-test': 40, k8s: 270, etcd: 45, kwok: 100, prometheus: 300, 'gateway-api': 5, helm: 90, 'argocd-lua': 15,
  node: 320,
  images: 120, // 2026-12-03, Tern's and npm's caches empty (docs/benchmarks.md#container-images)
};

/** What each command needs, by task name. */
export const TARGETS = {
  demo: ['npm', 'build', 'debian-cluster', 'k8s', 'node', 'etcd', 'prometheus', 'gateway-api', 'helm', 'images'],
  cluster: ['debian-cluster', 'k8s', 'node', 'etcd', 'kwok', 'prometheus', 'gateway-api', 'images'],
  test: ['npm', 'build', 'debian-test', 'k8s', 'node', 'etcd', 'kwok', 'prometheus', 'gateway-api', 'helm', 'argocd-lua', 'images'],
  chart: ['debian-chart', 'helm', 'argocd-lua'],
};

const GO_DEPS = ['k8s', 'node', 'etcd', 'kwok', 'prometheus', 'gateway-api'];

/** The tasks a target needs: label, command, what it waits for (names), whether the Go lane runs it, timing key. */
export function planTasks(target, dirs) {
  const names = TARGETS[target];
  if (!names) throw new Error(`prepare.js: unknown target '${target}' (one of ${Object.keys(TARGETS).join(', ')})`);
  const version = (name) => path.basename(dirs[name] ?? name);
  const make = (goal) => ['make', ['--no-print-directory', '-s', goal]];
  const imageTools = path.join(imagesDir, 'ensure-tools.sh');
  const debian = {
    'debian-cluster': [path.join(root, 'test', 'cluster', 'install-deps.sh'), imageTools],
    'debian-chart': [path.join(root, 'charts', 'tools', 'ensure-debian-tools.sh')],
    'debian-test': [path.join(root, 'test', 'cluster', 'install-deps.sh'), path.join(root, 'charts', 'tools', 'ensure-debian-tools.sh'), imageTools],
  };
  return names.map((name) => {
    if (name === 'npm') return { name, label: 'npm ci (node_modules)', command: make('install'), key: 'npm' };
    if (name === 'build') return { name, label: 'tsc (dist/, cluster tooling)', command: make('build-all'), after: ['npm'], key: 'build' };
    // Mostly waiting on the registry and the disk (about a third of a core): niced, beside the Go builds.
    if (name === 'images') {
      // The pause and CoreDNS images are made of the real node's binaries: after the `node` build when planned.
      const after = names.filter((n) => n === 'build' || n === 'node' || n.startsWith('debian'));
      const nodeBins = names.includes('node') && dirs.node ? ['--pause', path.join(dirs.node, 'pause'), '--coredns', path.join(dirs.node, 'coredns')] : [];
      return { name, label: 'container images (buildah: tern-server, tern-operator, pause, CoreDNS)', command: ['nice', ['-n', '10', path.join(imagesDir, 'build-images.sh'), ...nodeBins]], after, key: 'images' };
    }
    if (name in debian) return { name, label: 'Debian packages (apt-get when missing)', command: ['bash', ['-c', debian[name].join(' && ')]], key: name };
    if (name === 'helm') return { name, label: `helm ${version('helm').replace(/^helm-/, '')} from Go modules`, command: [helmBuild, []], go: true, key: version('helm') };
    if (name === 'argocd-lua') return { name, label: 'Argo CD Lua harness (gopher-lua) from Go modules', command: [argocdLuaBuild, []], go: true, key: 'argocd-lua' };
    // The real node's binaries (build-node.sh; its directory is named by a content hash, not a version).
    // runc links libseccomp, which the Debian task installs: the node waits for it (the k8s build before
    // it in the Go lane takes longer anyway).
    if (name === 'node') {
      const apt = names.find((n) => n in debian);
      return { name, label: 'Real node: kubelet, containerd, runc, CNI, CoreDNS…', command: [buildBinaries, [name]], go: true, after: apt, key: 'node' };
    }
    if (GO_DEPS.includes(name)) {
      const what = { 'gateway-api': 'Gateway API CRDs', k8s: 'Kubernetes (4 binaries)' }[name] ?? name;
      return { name, label: `${what} ${version(name).replace(/^.*?-(v\d)/, '$1')} from Go modules`, command: [buildBinaries, [name]], go: true, key: version(name) };
    }
    throw new Error(`prepare.js: no task '${name}'`);
  });
}

/** m:ss of a duration in seconds. */
export function clock(seconds) {
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** One task's status line: what, state, elapsed, estimate (and a bar when the line has room), at most `columns` wide. */
export function statusLine(task, now, columns = 120) {
  const labelWidth = Math.max(20, Math.min(52, columns - 30));
  const label = task.label.length > labelWidth ? `${task.label.slice(0, labelWidth - 1)}…` : task.label.padEnd(labelWidth);
  const line = (text) => (text.length > columns ? text.slice(0, columns) : text);
  if (task.state === 'waiting') return line(`  · ${label} waiting`);
  if (task.state === 'cached') return line(`  ✔ ${label} cached`);
  const elapsed = ((task.end ?? now) - task.start) / 1000;
  if (task.state === 'done') return line(`  ✔ ${label} ${elapsed < 1 ? 'up to date' : clock(elapsed)}`);
  if (task.state === 'failed') return line(`  ✘ ${label} failed after ${clock(elapsed)}`);
  const estimate = task.estimate;
  if (elapsed > estimate) return line(`  ▸ ${label} ${clock(elapsed)} (over the ~${clock(estimate)} expected)`);
  const head = `  ▸ ${label} ${clock(elapsed)} of ~${clock(estimate)}`;
  const width = Math.min(30, columns - head.length - 4);
  if (width < 8) return line(head);
  const done = Math.floor((elapsed / estimate) * width);
  return `${head}  ▕${'█'.repeat(done)}${' '.repeat(width - done)}▏`;
}

function readTimings() {
  try {
    return JSON.parse(fs.readFileSync(timingsFile, 'utf8'));
  } catch {
    return {};
  }
}

function recordTiming(key, seconds) {
  const timings = readTimings();
  timings[key] = Math.round(seconds);
  fs.mkdirSync(cache, { recursive: true });
  fs.writeFileSync(`${timingsFile}.tmp`, `${JSON.stringify(timings, null, 2)}\n`);
  fs.renameSync(`${timingsFile}.tmp`, timingsFile);
}

/** NAME=DIR of the Go-built dependencies, and which of `names` are missing from the cache. */
function goState(names) {
  const dirs = Object.fromEntries(execFileSync(buildBinaries, ['--print-dirs'], { encoding: 'utf8' }).trim().split('\n').map((l) => l.split('=')));
  const helmBin = execFileSync(helmBuild, ['--print-path'], { encoding: 'utf8' }).trim();
  dirs.helm = path.dirname(helmBin);
  const argocdLuaBin = execFileSync(argocdLuaBuild, ['--print-path'], { encoding: 'utf8' }).trim();
  const goNames = names.filter((n) => GO_DEPS.includes(n));
  const missing = new Set(goNames.length ? execFileSync(buildBinaries, ['--missing', ...goNames], { encoding: 'utf8' }).split('\n').filter(Boolean) : []);
  if (names.includes('helm') && !fs.existsSync(helmBin)) missing.add('helm');
  if (names.includes('argocd-lua') && !fs.existsSync(argocdLuaBin)) missing.add('argocd-lua');
  return { dirs, missing };
}

async function main(target) {
  const started = Date.now();
  const { dirs, missing } = goState(TARGETS[target] ?? []);
  const timings = readTimings();
  const tasks = planTasks(target, dirs).map((t) => ({
    ...t, state: 'waiting', estimate: timings[t.key] ?? DEFAULT_SECONDS[t.key.replace(/-v\d.*$/, '')] ?? DEFAULT_SECONDS[t.name] ?? 60,
  }));
  for (const t of tasks) if (t.go && !missing.has(t.name)) t.state = 'cached';
  const tty = process.stdout.isTTY === true && process.env.TERM !== 'dumb';
  const say = (line) => process.stdout.write(`${line}\n`);
  const toBuild = tasks.filter((t) => t.go && t.state === 'waiting');
  if (toBuild.length > 0) {
    const total = toBuild.reduce((sum, t) => sum + t.estimate, 0);
    say(`prepare ${target}: building ${toBuild.map((t) => t.name).join(', ')} from Go modules, about ${Math.ceil(total / 60)} min ` +
      `on this machine (one at a time; npm, tsc and apt-get run beside them). Cached in ${cache}: later runs skip it.`);
  } else {
    say(`prepare ${target}: the Go-built dependencies are cached (${cache})`);
  }
  fs.mkdirSync(logDir, { recursive: true });

  let drawn = 0;
  const draw = () => {
    const now = Date.now();
    const lines = tasks.map((t) => statusLine(t, now, (process.stdout.columns || 100) - 1));
    if (drawn > 0) process.stdout.write(`\x1b[${drawn}A`);
    process.stdout.write(lines.map((l) => `\x1b[2K${l}\n`).join(''));
    drawn = lines.length;
  };
  let lastPlain = Date.now();
  const tick = () => {
    if (tty) return draw();
    if (Date.now() - lastPlain < 60_000) return;
    lastPlain = Date.now();
    for (const t of tasks.filter((x) => x.state === 'running')) say(`[${clock((Date.now() - started) / 1000)}] ${statusLine(t, Date.now()).trim()}`);
  };
  const timer = setInterval(tick, tty ? 500 : 5_000);

  const children = new Set();
  const run = (task) => new Promise((resolve) => {
    task.state = 'running';
    task.start = Date.now();
    if (!tty) say(`[${clock((task.start - started) / 1000)}] start ${task.label}${task.go ? ` (expect ~${clock(task.estimate)})` : ''}`);
    const log = path.join(logDir, `${task.name}.log`);
    const out = fs.openSync(log, 'w');
    const [command, args] = task.command;
    const child = spawn(command, args, { cwd: root, stdio: ['ignore', out, out], detached: true });
    children.add(child);
    const finish = (ok, why) => {
      children.delete(child);
      fs.closeSync(out);
      task.end = Date.now();
      task.state = ok ? 'done' : 'failed';
      task.log = log;
      task.why = why;
      const seconds = (task.end - task.start) / 1000;
      // A quick no-op (cached, up to date) says nothing about how long the real work takes.
      if (ok && seconds > 3) recordTiming(task.key, seconds);
      if (!tty) say(`[${clock((task.end - started) / 1000)}] ${ok ? 'done' : 'FAILED'} ${task.label} in ${clock(seconds)}`);
      resolve(ok);
    };
    child.on('error', (err) => finish(false, err.message));
    child.on('exit', (code, signal) => finish(code === 0, signal ? `killed by ${signal}` : `exit code ${code}`));
  });

  const stopAll = () => {
    for (const c of children) {
      try {
        process.kill(-c.pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
    }
  };
  for (const s of ['SIGINT', 'SIGTERM']) {
    process.on(s, () => {
      stopAll();
      clearInterval(timer);
      process.stdout.write(`\nprepare ${target}: interrupted, builds stopped (finished ones stay cached)\n`);
      process.exit(130);
    });
  }

  let failed;
  const byName = new Map(tasks.map((t) => [t.name, t]));
  for (const t of tasks) t.finished = new Promise((resolve) => (t.markFinished = resolve));
  /** Runs a lane's tasks one after another (a task first waits for the one it needs from another lane). */
  const lane = async (list) => {
    for (const task of list) {
      if (task.state !== 'cached') {
        for (const name of task.after ?? []) await byName.get(name)?.finished;
        if (!failed && !(await run(task))) {
          failed = task;
          stopAll();
        }
      }
      task.markFinished();
    }
  };
  // Three lanes side by side: Node (npm ci -> tsc -> images), the Go builds one at a time, Debian packages.
  await Promise.all([
    lane(tasks.filter((t) => ['npm', 'build', 'images'].includes(t.name))),
    lane(tasks.filter((t) => t.go)),
    lane(tasks.filter((t) => t.name.startsWith('debian'))),
  ]);
  clearInterval(timer);
  if (tty) draw();
  if (failed) {
    const tail = fs.readFileSync(failed.log, 'utf8').split('\n').slice(-30).join('\n');
    process.stderr.write(`\nprepare ${target}: ${failed.label} failed (${failed.why}). Last lines of ${failed.log}:\n${tail}\n`);
    process.exitCode = 1;
    return;
  }
  say(`prepare ${target}: ready in ${clock((Date.now() - started) / 1000)}`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv[2] ?? 'cluster').catch((err) => {
    process.stderr.write(`prepare: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
