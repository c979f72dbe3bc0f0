// Entry point of the test node agent process (started by startCluster; see agent.ts):
//   node .tern/tooling/node-agent/main.js --state-dir=DIR --node=NAME --pod-cidr=CIDR --repo-root=DIR
import fs from 'node:fs';
import path from 'node:path';
import { KubeHttp } from '../kube-http.js';
import { NodeAgent } from './agent.js';

function arg(name: string): string {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  if (hit === undefined) throw new Error(`node-agent: missing --${name}=...`);
  return hit.slice(name.length + 3);
}

async function main(): Promise<void> {
  const stateDir = arg('state-dir');
  const state = JSON.parse(fs.readFileSync(path.join(stateDir, 'cluster.json'), 'utf8')) as { server: string; token: string; caFile: string };
  const kube = new KubeHttp(state);
  const log = (line: string) => console.log(`${new Date().toISOString()} ${line}`);
  const agent = new NodeAgent({
    kube,
    nodeName: arg('node'),
    podCIDR: arg('pod-cidr'),
    repoRoot: arg('repo-root'),
    stateDir,
    kubeletVersion: process.env.TERN_KUBELET_VERSION ?? 'v1.36.3',
    log,
  });
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping every pod process`);
    void agent.stop().then(() => {
      kube.close();
      process.exit(0);
    });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  await agent.start();
}

main().catch((err: unknown) => {
  console.error(`node-agent: ${(err as Error).stack ?? String(err)}`);
  process.exit(1);
});
