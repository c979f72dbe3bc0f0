// One pod on the local node: allocates its IP, runs its containers, keeps its status current in the
// API, and on deletion stops the processes within the grace period and finalizes the deletion.
import fs from 'node:fs';
import path from 'node:path';
import type { V1Pod } from '@kubernetes/client-node';
import { KubeError, type KubeHttp } from '../kube-http.js';
import { containerCommand } from './container-command.js';
import { containerEnv, type DataLookup } from './container-env.js';
import { ContainerRunner } from './container-runner.js';
import { podStatus, type PodView } from './pod-status.js';

/** Shared context of all pod workers. */
export interface WorkerContext {
  kube: KubeHttp;
  repoRoot: string;
  podLogDir: string;
  podPidDir: string;
  hostIP: string;
  baseEnv: Record<string, string>;
  lookup: DataLookup;
  log: (line: string) => void;
}

/** The key used for a pod in logs and file names: `<namespace>_<name>`. */
export function podKey(pod: V1Pod): string {
  return `${pod.metadata?.namespace ?? 'default'}_${pod.metadata?.name ?? ''}`;
}

/** Runs one pod. */
export class PodWorker {
  private readonly runners: ContainerRunner[] = [];
  private readonly view: PodView;
  private pushing = false;
  private dirty = false;
  private deleting = false;
  private stopped = false;
  readonly key: string;

  constructor(
    private pod: V1Pod,
    readonly podIP: string,
    private readonly ctx: WorkerContext,
  ) {
    this.key = podKey(pod);
    this.view = { podIP, hostIP: ctx.hostIP, startTime: new Date(), containers: [], transitions: new Map() };
  }

  private get apiPath(): string {
    return `/api/v1/namespaces/${this.pod.metadata?.namespace}/pods/${this.pod.metadata?.name}`;
  }

  /** Starts the pod's containers (or marks it Failed when one cannot run here). */
  async start(): Promise<void> {
    const spec = this.pod.spec;
    if (spec === undefined) return;
    const logFile = path.join(this.ctx.podLogDir, `${this.key}.log`);
    const restartPolicy = (spec.restartPolicy ?? 'Always') as 'Always' | 'OnFailure' | 'Never';
    const hostNetwork = spec.hostNetwork === true;
    try {
      if ((spec.initContainers ?? []).length > 0) throw Object.assign(new Error('init containers are not supported by the local node agent'), { reason: 'UnsupportedPod' });
      const plans = await Promise.all(
        spec.containers.map(async (container) => {
          const cmd = containerCommand(container.image ?? '', container.command, container.args, this.ctx.repoRoot, process.execPath);
          if (!cmd.ok) throw Object.assign(new Error(cmd.message), { reason: cmd.reason });
          const env = await containerEnv(this.pod, container, hostNetwork ? this.ctx.hostIP : this.podIP, this.ctx.baseEnv, this.ctx.lookup);
          return { container, cmd, env };
        }),
      );
      for (const { container, cmd, env } of plans) {
        const runner = new ContainerRunner({
          container,
          podIP: this.podIP,
          command: cmd.command,
          args: cmd.args,
          env,
          cwd: this.ctx.repoRoot,
          logFile,
          pidFile: path.join(this.ctx.podPidDir, `${this.key}_${container.name}.json`),
          restartPolicy,
          onChange: () => this.requestPush(),
        });
        this.runners.push(runner);
      }
      for (const r of this.runners) r.start();
      this.ctx.log(`pod ${this.key}: started ${this.runners.length} container(s) on ${this.podIP}`);
    } catch (err) {
      const reason = (err as { reason?: string }).reason ?? 'CreateContainerConfigError';
      const message = `${(err as Error).message} (pod ${this.pod.metadata?.namespace}/${this.pod.metadata?.name})`;
      this.view.failure = { reason, message };
      fs.appendFileSync(logFile, `==== ${new Date().toISOString()} pod cannot run on the local node: ${message}\n`);
      this.ctx.log(`pod ${this.key}: ${message}`);
    }
    this.requestPush();
  }

  /** Takes the newest pod object; starts graceful deletion when it carries a deletionTimestamp. */
  update(pod: V1Pod): void {
    this.pod = pod;
    if (pod.metadata?.deletionTimestamp !== undefined && !this.deleting) void this.finalizeDeletion();
  }

  /** True once every container finished (terminal phase): its IP may be reused. */
  get terminal(): boolean {
    return this.view.failure !== undefined || (this.runners.length > 0 && this.runners.every((r) => r.finished));
  }

  private async finalizeDeletion(): Promise<void> {
    this.deleting = true;
    const grace = this.pod.metadata?.deletionGracePeriodSeconds ?? this.pod.spec?.terminationGracePeriodSeconds ?? 30;
    await this.stop(grace * 1000);
    try {
      await this.ctx.kube.request('DELETE', this.apiPath, {
        apiVersion: 'v1', kind: 'DeleteOptions', gracePeriodSeconds: 0, preconditions: { uid: this.pod.metadata?.uid },
      });
    } catch (err) {
      if (!(err instanceof KubeError && (err.status === 404 || err.status === 409))) this.ctx.log(`pod ${this.key}: finalizing deletion failed: ${(err as Error).message}`);
    }
    this.ctx.log(`pod ${this.key}: deleted`);
  }

  /** Stops every container (SIGTERM, SIGKILL after `graceMs`). */
  async stop(graceMs: number): Promise<void> {
    this.stopped = true;
    await Promise.all(this.runners.map((r) => r.stop(graceMs)));
  }

  private requestPush(): void {
    this.dirty = true;
    if (!this.pushing) void this.pushLoop();
  }

  private async pushLoop(): Promise<void> {
    this.pushing = true;
    try {
      while (this.dirty && !this.deleting && !this.stopped) {
        this.dirty = false;
        this.view.containers = this.runners.map((r, i) => ({
          name: this.pod.spec?.containers[i]?.name ?? '',
          image: this.pod.spec?.containers[i]?.image ?? '',
          state: r.state,
          lastTerminated: r.lastTerminated,
          restartCount: r.restartCount,
          ready: r.ready,
          pid: r.pid,
          finished: r.finished,
        }));
        try {
          await this.ctx.kube.mergePatch(`${this.apiPath}/status`, { status: podStatus(this.view, new Date()) });
        } catch (err) {
          if (err instanceof KubeError && err.status === 404) return;
          this.ctx.log(`pod ${this.key}: status update failed (retrying): ${(err as Error).message}`);
          this.dirty = true;
          await new Promise((r) => setTimeout(r, 500));
        }
      }
    } finally {
      this.pushing = false;
    }
  }
}
