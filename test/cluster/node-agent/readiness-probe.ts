// One readiness check of a container, as the kubelet would run it: httpGet, tcpSocket or exec.
import { execFile } from 'node:child_process';
import net from 'node:net';
import type { V1Container, V1Probe } from '@kubernetes/client-node';

/** Resolves a probe port (number or the name of a container port). */
export function probePort(port: number | string | undefined, container: V1Container): number {
  if (typeof port === 'number') return port;
  if (port !== undefined && /^\d+$/.test(port)) return Number(port);
  const named = container.ports?.find((p) => p.name === port);
  if (named === undefined) throw new Error(`probe port ${String(port)} is not a port of container ${container.name}`);
  return named.containerPort;
}

/** Runs the probe once against `podIP`; true on success. */
export async function runProbe(probe: V1Probe, container: V1Container, podIP: string, env: Record<string, string>): Promise<boolean> {
  const timeoutMs = (probe.timeoutSeconds ?? 1) * 1000;
  if (probe.httpGet) {
    const g = probe.httpGet;
    const scheme = (g.scheme ?? 'HTTP').toLowerCase();
    const url = `${scheme}://${g.host ?? podIP}:${probePort(g.port as number | string, container)}${g.path ?? '/'}`;
    try {
      const headers = Object.fromEntries((g.httpHeaders ?? []).map((h) => [h.name, h.value]));
      const res = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
      await res.arrayBuffer();
      return res.status >= 200 && res.status < 400;
    } catch {
      return false;
    }
  }
  if (probe.tcpSocket) {
    const port = probePort(probe.tcpSocket.port as number | string, container);
    return new Promise((resolve) => {
      const socket = net.connect({ host: probe.tcpSocket?.host ?? podIP, port, timeout: timeoutMs });
      const done = (ok: boolean) => {
        socket.destroy();
        resolve(ok);
      };
      socket.on('connect', () => done(true));
      socket.on('timeout', () => done(false));
      socket.on('error', () => done(false));
    });
  }
  if (probe.exec?.command?.length) {
    const [cmd, ...args] = probe.exec.command;
    return new Promise((resolve) => execFile(cmd!, args, { env, timeout: timeoutMs }, (err) => resolve(err === null)));
  }
  return true; // grpc probes are not supported locally: treated as passing
}
