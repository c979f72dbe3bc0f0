// The processes of one container of the real node, found from outside it: every process whose cgroup
// path (/proc/PID/cgroup, readable from any mount namespace) names the container's id. Tests use it to
// see that a container's processes are there or gone, and to SIGKILL them as a crash would.
import { readdirSync, readFileSync } from 'node:fs';

/** Pids of the processes of container `containerId` (its id without the `containerd://` prefix). */
export function containerPids(containerId: string): number[] {
  if (!/^[0-9a-f]{12,}$/.test(containerId)) throw new Error(`not a container id: ${JSON.stringify(containerId)}`);
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cgroup`, 'utf8').includes(containerId)) pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

/** A container's id from a pod status's `containerID` (`containerd://<id>`); '' when it has none yet. */
export function containerIdOf(containerID: string | undefined): string {
  return (containerID ?? '').replace(/^[a-z]+:\/\//, '');
}

/** Pids of the processes of every container a pod's status names. */
export function podContainerPids(pod: { status?: { containerStatuses?: { containerID?: string }[] } }): number[] {
  return (pod.status?.containerStatuses ?? []).map((c) => containerIdOf(c.containerID)).filter((id) => id !== '').flatMap((id) => containerPids(id));
}
