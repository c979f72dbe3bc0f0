// process-control: detached processes logging to a file, stopped by pid (SIGKILL after the grace period).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isRunning, startDetached, stopProcess } from './process-control.js';

test('a process that ignores SIGTERM is killed after the grace period; its output is in the log', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tern-pc-'));
  const log = path.join(dir, 'p.log');
  const rec = startDetached('stubborn', 'sh', ['-c', 'trap "" TERM; echo started; while true; do sleep 0.1; done'], log);
  expect(isRunning(rec)).toBe(true);
  // The shell ignores SIGTERM only once it has run `trap`: wait until it says so (it echoes after the
  // trap), not a fixed time, or a slow start gets SIGTERM first and exits at once. Its own line: the log's
  // header line (the command line) contains the word too.
  const deadline = Date.now() + 10_000;
  while (!(fs.existsSync(log) && /^started$/m.test(fs.readFileSync(log, 'utf8')))) {
    if (Date.now() > deadline) throw new Error('the shell never printed "started"');
    await new Promise((r) => setTimeout(r, 20));
  }
  const t0 = Date.now();
  await stopProcess(rec, 500);
  expect(isRunning(rec)).toBe(false);
  expect(Date.now() - t0).toBeGreaterThanOrEqual(450);
  expect(fs.readFileSync(log, 'utf8')).toMatch(/^started$/m);
  fs.rmSync(dir, { recursive: true });
});

test('a recorded pid whose start time differs (pid reused) is left alone', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tern-pc-'));
  const real = startDetached('sleeper', 'sleep', ['30'], path.join(dir, 's.log'));
  const stale = { pid: real.pid, startTime: `${real.startTime}0` };
  expect(isRunning(stale)).toBe(false);
  await stopProcess(stale, 10);
  expect(isRunning(real)).toBe(true);
  await stopProcess(real, 1000);
  expect(isRunning(real)).toBe(false);
  fs.rmSync(dir, { recursive: true });
});
