// Runs one container of a pod as a local process: start, readiness probing, restart with backoff
// per the pod's restartPolicy, and stop (SIGTERM to its process group, SIGKILL after the grace period).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import type { V1Container } from '@kubernetes/client-node';
import { processStartTime } from '../process-control.js';
import { runProbe } from './readiness-probe.js';

/** Kubelet-like state of one container. */
export type RunState =
  | { kind: 'waiting'; reason: string; message?: string }
  | { kind: 'running'; startedAt: Date }
  | { kind: 'terminated'; exitCode: number; signal?: string; reason: string; message?: string; startedAt: Date; finishedAt: Date };

/** What the runner needs to run one container. */
export interface RunnerSpec {
  container: V1Container;
  podIP: string;
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  logFile: string;
  pidFile: string;
  restartPolicy: 'Always' | 'OnFailure' | 'Never';
  /** Called whenever the state, readiness or restart count changes. */
  onChange: () => void;
}

/** Longest probe period used locally (probes with longer periods are run this often). */
export const MAX_PROBE_PERIOD_MS = 2000;
const MAX_BACKOFF_MS = 20_000;

/** One container process and its lifecycle. */
export class ContainerRunner {
  state: RunState = { kind: 'waiting', reason: 'ContainerCreating' };
  lastTerminated: Extract<RunState, { kind: 'terminated' }> | undefined;
  restartCount = 0;
  ready = false;
  pid: number | undefined;
  private child: ChildProcess | undefined;
  private stopping = false;
  private backoffMs = 1000;
  private timers = new Set<NodeJS.Timeout>();
  private probeStreak = { ok: 0, fail: 0 };

  constructor(private readonly spec: RunnerSpec) {}

  /** True when the container will not run again (stopped, or exited under its restart policy). */
  get finished(): boolean {
    return this.stopping || (this.state.kind === 'terminated' && !this.willRestart(this.state.exitCode));
  }

  /** Starts the process. */
  start(): void {
    if (this.stopping) return;
    const { container, command, args, env, cwd, logFile } = this.spec;
    const fd = fs.openSync(logFile, 'a');
    fs.writeSync(fd, `==== ${new Date().toISOString()} container ${container.name} (restart ${this.restartCount}): ${command} ${args.join(' ')}\n`);
    const startedAt = new Date();
    let child: ChildProcess;
    try {
      child = spawn(command, args, { cwd, env, detached: true, stdio: ['ignore', fd, fd] });
    } finally {
      fs.closeSync(fd);
    }
    this.child = child;
    let ended = false;
    const end = (exitCode: number, signal: string | undefined, reason: string, message?: string) => {
      if (ended) return;
      ended = true;
      this.onExit({ kind: 'terminated', exitCode, signal, reason, message, startedAt, finishedAt: new Date() });
    };
    child.on('error', (err) => end(128, undefined, 'StartError', `${command}: ${err.message}`));
    child.on('exit', (code, signal) => end(code ?? 128 + (signal === 'SIGKILL' ? 9 : 15), signal ?? undefined, code === 0 ? 'Completed' : 'Error'));
    if (child.pid !== undefined) {
      this.pid = child.pid;
      const startTime = processStartTime(child.pid);
      fs.writeFileSync(this.spec.pidFile, JSON.stringify({ name: container.name, pid: child.pid, startTime, logFile }));
      this.state = { kind: 'running', startedAt };
      this.ready = false;
      this.probeStreak = { ok: 0, fail: 0 };
      this.spec.onChange();
      this.scheduleProbe(true);
    }
  }

  private willRestart(exitCode: number): boolean {
    const p = this.spec.restartPolicy;
    return !this.stopping && (p === 'Always' || (p === 'OnFailure' && exitCode !== 0));
  }

  private onExit(t: Extract<RunState, { kind: 'terminated' }>): void {
    this.child = undefined;
    this.pid = undefined;
    fs.rmSync(this.spec.pidFile, { force: true });
    this.ready = false;
    this.state = t;
    if (this.willRestart(t.exitCode)) {
      const ranMs = t.finishedAt.getTime() - t.startedAt.getTime();
      if (ranMs > 60_000) this.backoffMs = 1000;
      const delay = this.backoffMs;
      this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
      this.lastTerminated = t;
      this.state = { kind: 'waiting', reason: 'CrashLoopBackOff', message: `back-off ${delay / 1000}s restarting failed container ${this.spec.container.name}` };
      this.later(delay, () => {
        this.restartCount++;
        this.start();
      });
    }
    this.spec.onChange();
  }

  private scheduleProbe(first: boolean): void {
    const probe = this.spec.container.readinessProbe;
    if (probe === undefined) {
      this.setReady(true);
      return;
    }
    const period = Math.min((probe.periodSeconds ?? 10) * 1000, MAX_PROBE_PERIOD_MS);
    const delay = first ? (probe.initialDelaySeconds ?? 0) * 1000 : period;
    const child = this.child;
    this.later(delay, async () => {
      if (this.child !== child || child === undefined) return; // restarted or gone
      const ok = await runProbe(probe, this.spec.container, this.spec.podIP, this.spec.env);
      if (this.child !== child) return;
      if (ok) {
        this.probeStreak = { ok: this.probeStreak.ok + 1, fail: 0 };
        if (this.probeStreak.ok >= (probe.successThreshold ?? 1)) this.setReady(true);
      } else {
        this.probeStreak = { ok: 0, fail: this.probeStreak.fail + 1 };
        if (this.probeStreak.fail >= (probe.failureThreshold ?? 3) || !this.ready) this.setReady(false);
      }
      this.scheduleProbe(false);
    });
  }

  private setReady(ready: boolean): void {
    if (this.ready === ready) return;
    this.ready = ready;
    this.spec.onChange();
  }

  private later(ms: number, fn: () => void | Promise<void>): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      void fn();
    }, ms);
    this.timers.add(t);
  }

  /** Stops the process: SIGTERM to its group, SIGKILL after `graceMs`; resolves once it is gone. */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    const child = this.child;
    if (child === undefined || child.pid === undefined) return;
    const exited = new Promise<void>((resolve) => {
      if (this.child !== child) return resolve();
      child.once('exit', () => resolve());
    });
    const signal = (s: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, s);
      } catch {
        /* already gone */
      }
    };
    signal('SIGTERM');
    const timer = setTimeout(() => signal('SIGKILL'), Math.max(graceMs, 0));
    await exited;
    clearTimeout(timer);
  }
}
