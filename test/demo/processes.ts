/**
 * What the demo starts and how it stops it: child processes with their output in a log file, a
 * teardown stack run in reverse order (also on Ctrl-C), a record of every pid and port in
 * `.tern/demo/processes.json` (so `make demo-down` can clean up after a demo that was killed), and the
 * check that nothing is left behind (pids gone, ports free).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { createServer } from 'node:net';

/** One process the demo started. */
export interface StartedProcess {
  name: string;
  pid: number;
  child: ChildProcess;
  log: string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
}

/** What `.tern/demo/processes.json` holds. */
export interface ProcessRecordFile {
  pids: Array<{ name: string; pid: number }>;
  ports: Array<{ name: string; port: number }>;
}

/** True while `pid` exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True when 127.0.0.1:`port` can be bound (nobody listens there). */
export async function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  const server = createServer();
  return new Promise((ok) => {
    server.once('error', () => ok(false));
    server.listen(port, host, () => server.close(() => ok(true)));
  });
}

/** Starts `node args...` with stdout and stderr appended to `log`. */
export function spawnLogged(name: string, args: string[], log: string, options: { cwd: string; env?: NodeJS.ProcessEnv }): StartedProcess {
  return spawnLoggedCommand(name, process.execPath, args, log, options);
}

/** Starts `command args...` with stdout and stderr appended to `log`. */
export function spawnLoggedCommand(name: string, command: string, args: string[], log: string, options: { cwd: string; env?: NodeJS.ProcessEnv }): StartedProcess {
  const fd = fs.openSync(log, 'a');
  const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', fd, fd] });
  fs.closeSync(fd);
  if (child.pid === undefined) throw new Error(`could not start ${name} (${command} ${args.join(' ')}); see ${log}`);
  const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
  const done = () => child.exitCode !== null || child.signalCode !== null;
  return {
    name,
    pid: child.pid,
    child,
    log,
    stop: async (graceMs = 10_000) => {
      if (!done()) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** A stack of things to undo, run in reverse on success, failure or Ctrl-C; each step runs once. */
export class Teardown {
  readonly #steps: Array<{ name: string; run: () => Promise<void> }> = [];
  readonly #pids: Array<{ name: string; pid: number }> = [];
  readonly #ports: Array<{ name: string; port: number }> = [];
  readonly #recordFile: string | undefined;
  #running: Promise<string[]> | undefined;

  constructor(recordFile?: string) {
    this.#recordFile = recordFile;
  }

  /** Adds an undo step. */
  add(name: string, run: () => Promise<void>): void {
    this.#steps.push({ name, run });
  }

  /** Records a process (stopped by `stop` steps, checked by `leftovers`). */
  trackPid(name: string, pid: number): void {
    this.#pids.push({ name, pid });
    this.#save();
  }

  /** Records a port something of ours listens on (checked by `leftovers`). */
  trackPort(name: string, port: number): void {
    this.#ports.push({ name, port });
    this.#save();
  }

  get pids(): ReadonlyArray<{ name: string; pid: number }> {
    return this.#pids;
  }

  get ports(): ReadonlyArray<{ name: string; port: number }> {
    return this.#ports;
  }

  /** Runs every step, newest first; returns the errors (one line each). Idempotent. */
  run(): Promise<string[]> {
    this.#running ??= (async () => {
      const errors: string[] = [];
      for (const step of [...this.#steps].reverse()) {
        try {
          await step.run();
        } catch (err) {
          errors.push(`${step.name}: ${(err as Error).message}`);
        }
      }
      return errors;
    })();
    return this.#running;
  }

  /** What is still there after `run`: live pids and busy ports, named. */
  async leftovers(): Promise<string[]> {
    const left: string[] = [];
    for (const p of this.#pids) if (isAlive(p.pid)) left.push(`process ${p.name} (pid ${p.pid})`);
    for (const p of this.#ports) if (!(await isPortFree(p.port))) left.push(`port ${p.port} (${p.name})`);
    return left;
  }

  #save(): void {
    if (!this.#recordFile) return;
    const record: ProcessRecordFile = { pids: this.#pids, ports: this.#ports };
    fs.writeFileSync(this.#recordFile, JSON.stringify(record, null, 2));
  }
}

/** The processes a demo recorded in `recordFile` (empty when there is no record). */
export function recordedProcesses(recordFile: string): Array<{ name: string; pid: number }> {
  try {
    return (JSON.parse(fs.readFileSync(recordFile, 'utf8')) as ProcessRecordFile).pids;
  } catch {
    return [];
  }
}

/** True when `pid` runs a program of this checkout's kind (node, or a binary built for the local cluster), not a recycled pid. */
function looksLikeOurs(pid: number): boolean {
  try {
    const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return /node|tern|kube|etcd|prometheus/.test(cmd);
  } catch {
    return false;
  }
}

/** Stops the processes a previous, killed demo recorded (SIGTERM, then SIGKILL). Returns their names. */
export async function stopRecorded(recordFile: string): Promise<string[]> {
  let record: ProcessRecordFile;
  try {
    record = JSON.parse(fs.readFileSync(recordFile, 'utf8')) as ProcessRecordFile;
  } catch {
    return [];
  }
  const stopped: string[] = [];
  for (const p of record.pids) {
    if (!isAlive(p.pid) || !looksLikeOurs(p.pid)) continue;
    process.kill(p.pid, 'SIGTERM');
    for (let i = 0; i < 50 && isAlive(p.pid); i++) await new Promise((r) => setTimeout(r, 100));
    if (isAlive(p.pid)) process.kill(p.pid, 'SIGKILL');
    stopped.push(`${p.name} (pid ${p.pid})`);
  }
  fs.rmSync(recordFile, { force: true });
  return stopped;
}
