// What /proc says about a process, for the benchmarks: CPU time used so far and resident memory.
import { readFileSync } from 'node:fs';

/** User and system CPU seconds (clock ticks of 10 ms) from a /proc stat file. */
function cpuTimesOf(statFile: string): CpuTimes {
  const fields = readFileSync(statFile, 'utf8').replace(/^.*\) /s, '').split(' ');
  return { user: Number(fields[11]) / 100, system: Number(fields[12]) / 100 };
}

/** CPU seconds spent in user space and in the kernel. */
export interface CpuTimes {
  user: number;
  system: number;
}

/** CPU seconds (user + system) process `pid` has used so far, all its threads. Throws when it is gone. */
export function processCpuSeconds(pid: number): number {
  const t = cpuTimesOf(`/proc/${pid}/stat`);
  return t.user + t.system;
}

/** CPU seconds thread `tid` of process `pid` has used so far (a process's main thread has tid = pid). */
export function threadCpuTimes(pid: number, tid: number): CpuTimes {
  return cpuTimesOf(`/proc/${pid}/task/${tid}/stat`);
}

/** Resident memory of process `pid` in bytes. Throws when it is gone. */
export function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}
