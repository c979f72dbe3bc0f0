// Starts a real tern-server process (bin/tern-server.js, with its V8 flags) on a free loopback port for
// the benchmarks and the process tests that measure it, and stops it: one place for the spawn, the
// "listening" line and the wait for /readyz.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { SERVER_NODE_FLAGS } from '../../server/node-options.js';
import { repoRoot } from '../cluster/paths.js';

/** The checkout's root, from the source (test/bench/) or the compiled (dist/test/bench/) location. */
const ROOT = repoRoot();

/** A running tern-server. */
export interface TernServerProcess {
  proc: ChildProcess;
  port: number;
  pid: number;
}

/**
 * Starts tern-server serving `modelPath` as model `name` 1.0.0 with `args` after the common ones, and
 * node options `nodeArgs` after tern-server's own V8 flags; resolves once /readyz answers 200.
 */
export async function startTernServer(modelPath: string, name: string, args: readonly string[] = [], options: { nodeArgs?: readonly string[]; readyTimeoutMs?: number } = {}): Promise<TernServerProcess> {
  const proc = spawn(process.execPath, [...SERVER_NODE_FLAGS, ...(options.nodeArgs ?? []), join(ROOT, 'bin/tern-server.js'), '--model-url', `file://${modelPath}`,
    '--model-name', name, '--model-version', '1.0.0', '--host', '127.0.0.1', '--port', '0', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  const port = await new Promise<number>((resolve, reject) => {
    proc.stderr?.on('data', (c: Buffer) => {
      log += c.toString();
      const m = /"listening[^\n]*"port":(\d+)/.exec(log);
      if (m) resolve(Number(m[1]));
    });
    proc.once('exit', (code) => reject(new Error(`tern-server exited ${code}: ${log}`)));
  });
  const deadline = Date.now() + (options.readyTimeoutMs ?? 10_000);
  while (Date.now() < deadline) {
    if (await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false)) return { proc, port, pid: proc.pid ?? -1 };
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`tern-server never became ready: ${log}`);
}

/** SIGTERM, and wait for the exit (at once when it has exited already). */
export async function stopTernServer(s: Pick<TernServerProcess, 'proc'>): Promise<void> {
  if (s.proc.exitCode !== null || s.proc.signalCode !== null) return;
  const exited = new Promise((r) => s.proc.once('exit', r));
  s.proc.kill('SIGTERM');
  await exited;
}
