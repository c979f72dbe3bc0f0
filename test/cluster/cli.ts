// Command line of the local cluster (`make cluster-up`, `make cluster-down`, ...):
//   node .tern/tooling/cli.js up [--kwok-nodes=N (default 2)] [--no-prometheus] [--no-node]   (the real node `tern-node` unless --no-node)
//   node .tern/tooling/cli.js down [--if-started-by=WHO] | status | prometheus-stop | prometheus-start
//   node .tern/tooling/cli.js restart kube-apiserver|etcd [--down-ms=N]
// (`down --if-started-by=jest`: stops only a cluster that a jest run started and left, e.g. when jest was killed)
import { attachCluster, isClusterAlive, startCluster, stopCluster } from './cluster.js';
import fs from 'node:fs';
import { readState } from './cluster-state.js';
import { stateLayout } from './paths.js';

/** Resident memory of `pid` in KiB (0 when gone). */
function rssKiB(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

async function main(argv: string[]): Promise<void> {
  const [command, ...flags] = argv;
  const flag = (name: string) => flags.find((f) => f === `--${name}` || f.startsWith(`--${name}=`));
  const layout = stateLayout();
  switch (command) {
    case 'up': {
      const t0 = Date.now();
      const kwok = flag('kwok-nodes')?.split('=')[1];
      const cluster = await startCluster({
        kwokNodes: kwok === undefined ? 2 : Number(kwok),
        prometheus: flag('no-prometheus') === undefined,
        realNode: flag('no-node') === undefined,
        log: (line) => console.error(`cluster-up: ${line}`),
        startedBy: 'cluster-up',
      });
      console.error(`cluster-up: ready in ${((Date.now() - t0) / 1000).toFixed(1)} s; logs in ${cluster.layout.logs}`);
      if (cluster.prometheusUrl) console.error(`cluster-up: prometheus at ${cluster.prometheusUrl}`);
      if (process.env.TERN_IN_NETNS === '1') {
        console.error("cluster-up: it lives in network namespace 'tern': `make cluster-shell` opens a shell there (KUBECONFIG set)");
      }
      console.log(`export KUBECONFIG=${cluster.kubeconfig}`);
      cluster.kube.close();
      return;
    }
    case 'down': {
      const onlyIf = flag('if-started-by')?.split('=')[1];
      if (onlyIf !== undefined && readState(layout)?.startedBy !== onlyIf) return;
      if (onlyIf !== undefined && !isClusterAlive(layout)) return;
      await stopCluster(layout);
      console.error(`cluster-down: every process stopped${onlyIf ? ` (a cluster left by ${onlyIf})` : ''}`);
      return;
    }
    case 'status':
      if (!isClusterAlive(layout)) {
        console.log('no local cluster running');
        process.exitCode = 1;
        return;
      }
      {
        const c = attachCluster();
        console.log(`server ${c.server}\nkubeconfig ${c.kubeconfig}\nprometheus ${c.prometheusUrl ?? '-'}\npod subnet ${c.podCIDR ?? '-'}`);
        let total = 0;
        for (const p of readState(layout)?.processes ?? []) {
          const kib = rssKiB(p.pid);
          total += kib;
          console.log(`  ${p.name.padEnd(24)} pid ${String(p.pid).padEnd(8)} ${(kib / 1024).toFixed(0).padStart(5)} MiB RSS`);
        }
        console.log(`  ${'total'.padEnd(37)} ${(total / 1024).toFixed(0).padStart(5)} MiB RSS`);
        c.kube.close();
      }
      return;
    case 'prometheus-stop':
      await attachCluster().stopPrometheus();
      return;
    case 'prometheus-start':
      await attachCluster().startPrometheus();
      return;
    case 'restart': {
      const name = flags[0];
      if (name !== 'kube-apiserver' && name !== 'etcd') throw new Error('usage: cli.js restart kube-apiserver|etcd [--down-ms=N]');
      const { downMs } = await attachCluster().restart(name, Number(flag('down-ms')?.split('=')[1] ?? 0));
      console.error(`restart: ${name} healthy again after ${downMs} ms`);
      return;
    }
    default:
      console.error('usage: cli.js up [--kwok-nodes=N] [--no-prometheus] [--no-node] | down [--if-started-by=WHO] | status | prometheus-stop | prometheus-start | restart kube-apiserver|etcd [--down-ms=N]');
      process.exitCode = 2;
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
