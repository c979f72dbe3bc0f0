// Measures how fast the local cluster gets N kwok pods Running (one Deployment on the kwok nodes).
//   make cluster-up KWOK_NODES=4 && test/cluster/netns.sh node .tern/tooling/kwok-scale.js 2000
import { attachCluster } from './cluster.js';
import { kwokDeployment } from './kwok.js';

async function main(): Promise<void> {
  const replicas = Number(process.argv[2] ?? 1000);
  const cluster = attachCluster();
  const ns = `kwok-scale-${Date.now().toString(36)}`;
  await cluster.kube.request('POST', '/api/v1/namespaces', { metadata: { name: ns } });
  const t0 = Date.now();
  await cluster.kube.request('POST', `/apis/apps/v1/namespaces/${ns}/deployments`, kwokDeployment('fake', replicas));
  let running = 0;
  const deadline = Date.now() + 600_000;
  while (running < replicas && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 1000));
    const list = await cluster.kube.request<{ items: unknown[] }>('GET', `/api/v1/namespaces/${ns}/pods?fieldSelector=status.phase%3DRunning`);
    running = list.items.length;
  }
  console.log(`${running}/${replicas} kwok pods Running after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  await cluster.kube.request('DELETE', `/api/v1/namespaces/${ns}`);
  cluster.kube.close();
  if (running < replicas) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error((err as Error).message);
  process.exitCode = 1;
});
