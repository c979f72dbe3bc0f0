// Starting long-lived local processes detached (they outlive the starter, e.g. `make cluster-up`),
// logging to files, and stopping them by pid — checking the pid is still the process we started.
import { spawn } from 'node:child_process';
import fs from 'node:fs';

/** A process we started: its pid and the kernel's start time (guards against pid reuse). */
export interface ProcessRecord {
  name: string;
  pid: number;
  startTime: string;
  logFile: string;
  /** How it was started (to restart it the same way: test/cluster/restart.ts). */
  command?: string;
  args?: string[];
  cwd?: string;
}

/** Start time of `pid` from /proc (field 22 of stat), or undefined when it is gone. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces; fields after it start past the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const state = rest[0];
    if (state === 'Z' || state === 'X') return undefined;
    return rest[19];
  } catch {
    return undefined;
  }
}

/** True when the recorded process still runs (same pid and same start time). */
export function isRunning(rec: Pick<ProcessRecord, 'pid' | 'startTime'>): boolean {
  return processStartTime(rec.pid) === rec.startTime;
}

/** Options for {@link startDetached}. */
export interface StartOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

/** Starts `command args` in its own process group with stdout+stderr appended to `logFile`. */
export function startDetached(name: string, command: string, args: string[], logFile: string, opts: StartOptions = {}): ProcessRecord {
  const fd = fs.openSync(logFile, 'a');
  try {
    fs.writeSync(fd, `\n==== ${new Date().toISOString()} ${command} ${args.join(' ')}\n`);
    const child = spawn(command, args, { cwd: opts.cwd, env: opts.env ?? process.env, detached: true, stdio: ['ignore', fd, fd] });
    if (child.pid === undefined) throw new Error(`could not start ${name} (${command}): see ${logFile}`);
    child.on('error', () => {}); // reported through the log and the readiness wait
    child.unref();
    const startTime = processStartTime(child.pid);
    if (startTime === undefined) throw new Error(`${name} (${command}) exited at once: see ${logFile}`);
    return { name, pid: child.pid, startTime, logFile, command, args, ...(opts.cwd ? { cwd: opts.cwd } : {}) };
  } finally {
    fs.closeSync(fd);
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Stops a process we started: SIGTERM to its process group, then SIGKILL after `graceMs`.
 * Does nothing when the pid now belongs to another process.
 */
export async function stopProcess(rec: Pick<ProcessRecord, 'pid' | 'startTime'>, graceMs = 10_000): Promise<void> {
  if (!isRunning(rec)) return;
  signalGroup(rec.pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isRunning(rec)) return;
    await sleep(50);
  }
  signalGroup(rec.pid, 'SIGKILL');
  while (isRunning(rec)) await sleep(20);
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      /* already gone */
    }
  }
}
