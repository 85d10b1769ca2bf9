import type Docker from 'dockerode';
import type { Logger } from '../common/logger';
import { followContainerEvents } from '../engine/engine-events';
import { PortForwards, publishedPorts, type PortConflict, type PublishedPort } from '../engine/port-forwarder';
import type { HostForwards } from '../vm/machine-driver';
import type { AgentEvent } from './control-api';
import { listedBindSources } from '../engine/bind-sources';
import type { LiveChanges } from '../vm/live-changes';

/**
 * While an engine runs: the one follower of its container events. Each event
 * reconciles the published ports mirrored onto 127.0.0.1 and the bind mounts
 * whose host changes go live into containers, and goes on to the agent's
 * clients, so the UI learns of changes without holding a connection on the
 * Docker socket (one that would keep the VM from ever sleeping).
 */
export class EngineFollower {
  private ports?: PortForwards;
  private stopEvents?: () => void;
  private docker?: Docker;

  constructor(
    private readonly log: Logger,
    private readonly onEvent: (e: AgentEvent) => void,
    private readonly live?: LiveChanges,
  ) {}

  follow(docker: Docker, forwards: HostForwards): void {
    this.unfollow();
    this.docker = docker;
    // One listing of the running containers per event, for the ports and the live changes both.
    let listing: Promise<Docker.ContainerInfo[]> | undefined;
    const running = () => {
      listing ??= docker.listContainers({ filters: { status: ['running'] } }).finally(() => {
        listing = undefined;
      });
      return listing;
    };
    const ports = new PortForwards(async () => publishedPorts(await running()), forwards, this.log);
    this.ports = ports;
    const reconcile = () => {
      void ports.reconcile().catch((e: Error) => this.log.warn(`ports: ${e.message}`));
      if (this.live)
        void running().then(
          (l) => this.live?.setBinds(listedBindSources(l)),
          (e: Error) => this.log.warn(`live changes: ${e.message}`),
        );
    };
    this.stopEvents = followContainerEvents(
      docker,
      (c) => {
        reconcile();
        this.onEvent({ event: 'engine.container', payload: c ?? {} });
      },
      this.log,
    );
  }

  unfollow(): void {
    // The machine is going: its watches go too, without a word to a guest that may not answer.
    this.live?.close();
    this.stopEvents?.();
    this.stopEvents = undefined;
    this.ports = undefined;
    this.docker = undefined;
  }

  /** How many containers keep the engine busy now (running, paused or restarting); undefined with no engine followed. */
  async busyContainers(): Promise<number | undefined> {
    if (!this.docker) return undefined;
    return (await this.docker.listContainers({ filters: { status: ['running', 'paused', 'restarting'] } })).length;
  }

  /** Container ports open on 127.0.0.1 now. */
  active(): PublishedPort[] {
    return this.ports?.active() ?? [];
  }

  /** Published ports the host could not open. */
  conflicts(): PortConflict[] {
    return this.ports?.conflicts() ?? [];
  }
}
