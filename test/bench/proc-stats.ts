// What /proc says about a process, for the benchmarks: CPU time used so far and resident memory.
import { readFileSync } from 'node:fs';

/** CPU seconds (user + system) process `pid` has used so far (clock ticks of 10 ms). Throws when it is gone. */
export function processCpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Resident memory of process `pid` in bytes. Throws when it is gone. */
export function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}
