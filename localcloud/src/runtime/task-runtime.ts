import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { cleanupAll } from "./cleanup";
import { type Container, containerId, launch } from "./container";
import { prepareRootfs, type RootfsMode, releaseMount } from "./container-rootfs";
import { CannotStartContainerError } from "./errors";
import type { LogLine } from "./logs";
import { DEFAULT_NETWORK, type NetworkConfig, type TaskNetwork, TaskNetworks } from "./network";
import { runtimeSpec } from "./oci-spec";
import { processArgs, processEnv } from "./process-config";
import { type PulledImage, pullImage } from "./pull";
import type { ImageLocation } from "./registry-client";
import { forget, remember } from "./resources";
import { resolveInRoot } from "./root-path";
import { resolveUser } from "./users";

export interface ContainerSpec {
  /** The container's name in its task definition. */
  name: string;
  image: PulledImage;
  network: TaskNetwork;
  entryPoint?: string[];
  command?: string[];
  environment?: Record<string, string>;
  workingDirectory?: string;
  /** uid, uid:gid, user or user:group, looked up in the image; default the image's USER, else root. */
  user?: string;
  readonlyRootFilesystem?: boolean;
  /** ECS `memory`: hard limit in MiB; the kernel kills the container past it (exit 137). */
  memoryLimitMiB?: number;
  /** ECS `cpu` units, as relative CPU shares. */
  cpuUnits?: number;
  /** Called with each output line as it is read (e.g. to ship it as a CloudWatch log event). */
  onLog?: (line: LogLine) => void;
}

export interface TaskRuntimeOptions {
  /** Where images, container bundles, runc state and the resource records live. */
  stateDir: string;
  network?: NetworkConfig;
  /** Undo a crashed previous run with the same state folder first (default true). */
  cleanupFirst?: boolean;
  /** "overlay" (default) falls back to "copy" where overlayfs cannot mount; "copy" forces copies. */
  rootfs?: RootfsMode;
}

/**
 * Runs ECS tasks' containers: images pulled once per digest, one network namespace per task,
 * one runc container per task container.
 */
export class TaskRuntime {
  readonly stateDir: string;
  private readonly preferredRootfs: RootfsMode;
  private readonly networks: TaskNetworks;
  private readonly live = new Set<Container>();
  /** Starts in flight, waited for by close(). */
  private readonly starting = new Set<Promise<Container>>();
  private closing = false;
  /** How the last container's rootfs was made: "overlay" normally, "copy" where overlay fails. */
  rootfsMode: RootfsMode | undefined;

  private constructor(options: TaskRuntimeOptions) {
    this.stateDir = options.stateDir;
    this.preferredRootfs = options.rootfs ?? "overlay";
    this.networks = new TaskNetworks(options.stateDir, options.network ?? DEFAULT_NETWORK);
  }

  static async open(options: TaskRuntimeOptions): Promise<TaskRuntime> {
    await mkdir(options.stateDir, { recursive: true });
    if (options.cleanupFirst ?? true) await cleanupAll(options.stateDir);
    return new TaskRuntime(options);
  }

  /** The host's address on the task bridge. */
  get gateway(): string {
    return this.networks.gateway;
  }

  pullImage(location: ImageLocation): Promise<PulledImage> {
    return pullImage(this.stateDir, location);
  }

  createTaskNetwork(taskId: string): Promise<TaskNetwork> {
    return this.networks.create(taskId);
  }

  destroyTaskNetwork(network: TaskNetwork): Promise<void> {
    return this.networks.destroy(network);
  }

  /**
   * Starts a container. Refused once the runtime is closing; a start in flight when close()
   * begins is waited for, so no rootfs is mounted after the cleanup ran (it would outlive it).
   */
  async startContainer(spec: ContainerSpec): Promise<Container> {
    if (this.closing) throw new CannotStartContainerError("the task runtime is shutting down");
    const started = this.start(spec);
    this.starting.add(started);
    try {
      return await started;
    } finally {
      this.starting.delete(started);
    }
  }

  private async start(spec: ContainerSpec): Promise<Container> {
    const id = containerId(spec.name);
    const containerDir = join(this.stateDir, "containers", id);
    await remember(this.stateDir, { kind: "dir", path: containerDir });
    await mkdir(containerDir, { recursive: true });
    const rootfs = await prepareRootfs(
      this.stateDir,
      spec.image.rootfs,
      containerDir,
      this.preferredRootfs,
    );
    this.rootfsMode = rootfs.mode;
    const releaseOnFailure = async () => {
      if (rootfs.mode === "overlay") await releaseMount(this.stateDir, rootfs.path);
      await rm(containerDir, { recursive: true, force: true });
      await forget(this.stateDir, { kind: "dir", path: containerDir });
    };
    let container: Container;
    try {
      const user = await resolveUser(rootfs.path, spec.user ?? spec.image.config.User);
      const cwd = spec.workingDirectory ?? (spec.image.config.WorkingDir || "/");
      await mkdir(await resolveInRoot(rootfs.path, cwd), { recursive: true }).catch((error) => {
        throw new CannotStartContainerError(
          `working directory ${cwd}: ${(error as Error).message}`,
        );
      });
      const args = processArgs(spec.image.config, spec.entryPoint, spec.command);
      const env = processEnv(spec.image.config, spec.environment, {
        hostname: spec.network.hostname,
        home: user.home,
      });
      await remember(this.stateDir, { kind: "container", id });
      container = await launch(id, {
        stateDir: this.stateDir,
        name: spec.name,
        containerDir,
        bundleDir: join(containerDir, "bundle"),
        rootfsMount: rootfs.mode === "overlay" ? rootfs.path : undefined,
        onLog: spec.onLog,
        runtimeSpec: runtimeSpec({
          args,
          env,
          cwd,
          user,
          hostname: spec.network.hostname,
          netnsPath: spec.network.netnsPath,
          hostsFile: spec.network.hostsFile,
          readonlyRootfs: spec.readonlyRootFilesystem ?? false,
          memoryLimitMiB: spec.memoryLimitMiB,
          cpuUnits: spec.cpuUnits,
        }),
      });
    } catch (error) {
      await releaseOnFailure().catch(() => {});
      if (error instanceof CannotStartContainerError) throw error;
      throw new CannotStartContainerError((error as Error).message);
    }
    this.live.add(container);
    void container.exited.then(() => this.live.delete(container));
    return container;
  }

  /** Containers started by this runtime that have not exited yet. */
  containers(): Container[] {
    return [...this.live];
  }

  /** Stops every container and removes everything this runtime made on the host. */
  async close(): Promise<void> {
    this.closing = true;
    await Promise.allSettled([...this.starting]);
    await Promise.all([...this.live].map((container) => container.stop("SIGKILL", 5_000)));
    await cleanupAll(this.stateDir);
  }
}
