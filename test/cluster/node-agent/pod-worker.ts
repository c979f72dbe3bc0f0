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

  /**
   * Starts the pod's containers. A container that can never run here (image, command) fails the pod;
   * a missing ConfigMap/Secret leaves it Pending (CreateContainerConfigError) and is retried, as the kubelet does.
   */
  async start(): Promise<void> {
    const spec = this.pod.spec;
    if (spec === undefined || this.stopped || this.deleting) return;
    const logFile = path.join(this.ctx.podLogDir, `${this.key}.log`);
    const restartPolicy = (spec.restartPolicy ?? 'Always') as 'Always' | 'OnFailure' | 'Never';
    const hostNetwork = spec.hostNetwork === true;
    const ns = `${this.pod.metadata?.namespace}/${this.pod.metadata?.name}`;
    const unsupported = (spec.initContainers ?? []).length > 0 ? { reason: 'UnsupportedPod', message: 'init containers are not supported by the local node agent' } : undefined;
    const commands = spec.containers.map((c) => containerCommand(c.image ?? '', c.command, c.args, this.ctx.repoRoot, process.execPath));
    const cannot = unsupported ?? commands.find((c) => !c.ok);
    if (cannot !== undefined && 'reason' in cannot) {
      const message = `${cannot.message} (pod ${ns})`;
      this.view.failure = { reason: cannot.reason, message };
      fs.appendFileSync(logFile, `==== ${new Date().toISOString()} pod cannot run on the local node: ${message}\n`);
      this.ctx.log(`pod ${this.key}: ${message}`);
      this.requestPush();
      return;
    }
    let envs: Array<Record<string, string>>;
    try {
      envs = await Promise.all(spec.containers.map((c) => containerEnv(this.pod, c, hostNetwork ? this.ctx.hostIP : this.podIP, this.ctx.baseEnv, this.ctx.lookup)));
    } catch (err) {
      const message = `${(err as Error).message} (pod ${ns})`;
      this.view.containers = spec.containers.map((c) => ({
        name: c.name, image: c.image ?? '', state: { kind: 'waiting', reason: 'CreateContainerConfigError', message }, restartCount: 0, ready: false, finished: false,
      }));
      this.ctx.log(`pod ${this.key}: ${message}; retrying`);
      this.requestPush();
      setTimeout(() => void this.start(), 2000);
      return;
    }
    spec.containers.forEach((container, i) => {
      const cmd = commands[i];
      if (cmd === undefined || !cmd.ok) return;
      this.runners.push(
        new ContainerRunner({
          container,
          podIP: this.podIP,
          command: cmd.command,
          args: cmd.args,
          env: envs[i] ?? {},
          cwd: this.ctx.repoRoot,
          logFile,
          pidFile: path.join(this.ctx.podPidDir, `${this.key}_${container.name}.json`),
          restartPolicy,
          onChange: () => this.requestPush(),
        }),
      );
    });
    for (const r of this.runners) r.start();
    this.ctx.log(`pod ${this.key}: started ${this.runners.length} container(s) on ${this.podIP}`);
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
        if (this.runners.length > 0) this.view.containers = this.runners.map((r, i) => ({
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
          // metadata.uid makes the patch fail (422 "field is immutable") should a new pod with the same name have replaced ours.
          await this.ctx.kube.mergePatch(`${this.apiPath}/status`, { metadata: { uid: this.pod.metadata?.uid }, status: podStatus(this.view, new Date()) });
        } catch (err) {
          if (err instanceof KubeError && (err.status === 404 || (err.status === 422 && err.message.includes('metadata.uid')))) return;
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
