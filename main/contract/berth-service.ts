/**
 * The contract's implementation, shared by every transport (Electron IPC now,
 * the dashboard's WebSocket later): calls to the agent's control API, plus
 * dockerode on the Berth socket for containers, images and volumes. It holds
 * no Electron code, so the same logic serves the app and the browser.
 */
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { AgentClient, ensureAgent, type AgentCommand } from '../agent/agent-client';
import type { AgentEvent, AgentStatus } from '../agent/control-api';
import type { BerthPaths } from '../agent/paths';
import { engineOverSocket } from '../engine/docker-client';
import { followContainerEvents } from '../engine/engine-events';
import type { Settings } from '../settings/settings-schema';
import { exportDockerHost } from '../settings/shell-quote';
import { SettingsStore } from '../settings/settings-store';
import { ContainerStatsSampler } from '../engine/container-stats';
import { followContainerLogs } from '../engine/log-follow';
import { vmPaths } from '../vm/vm-instance';
import { allocatedSize, type VmUsage } from '../vm/vm-usage';
import type { BerthEvents, ContainerSummary, EventName, ImageSummary, ReclaimResult, StatsTopic, VolumeSummary } from './berth-api';
import { LogFollowers } from './log-followers';
import { StatsHub } from './stats-hub';
import { CodedError } from '../common/coded-error';
import type { BerthHandlers } from './dispatcher';
import { containerName } from '../engine/container-name';
import { externalUrl } from './web-security';

/** What the service needs from its host (the app or the dashboard server). */
export interface ServiceHost {
  paths: BerthPaths;
  agentCommand: AgentCommand;
  loginItem: { get(): boolean; set(enabled: boolean): boolean };
  /** Opens a URL in the default browser; it is given only what web-security's externalUrl accepted. */
  openExternal(url: string): Promise<void>;
}

/** Emits contract events ('vm.state', …) from the agent's event stream. */
export class BerthService extends EventEmitter {
  private agent?: AgentClient;
  private connecting?: Promise<AgentClient | undefined>;
  private stream?: object;
  private unfollow?: () => void;
  private unfollowEngine?: () => void;
  /** Stats are sampled only while a page watches them (see StatsHub). */
  private readonly stats: { containers: StatsHub<BerthEvents['stats.containers']>; vm: StatsHub<VmUsage> };
  private dfInFlight?: Promise<DiskUsage>;
  /** StartedAt of running containers, so a list refetch inspects only containers that started since the last. */
  private readonly startTimes = new Map<string, number>();
  private readonly logFollowers = new LogFollowers(
    (id, tail, onText, onEnd) => followContainerLogs(this.docker(), id, tail, onText, onEnd),
    (chunk) => this.emitEvent('containers.log', chunk),
  );

  constructor(private readonly host: ServiceHost) {
    super();
    const containers = new ContainerStatsSampler(() => this.docker());
    this.stats = {
      containers: new StatsHub(
        { sample: async () => ({ at: Date.now(), containers: await containers.sample() }), reset: () => containers.reset() },
        (p) => this.emitEvent('stats.containers', p),
      ),
      vm: new StatsHub(
        {
          sample: async () => {
            const c = await this.client(false);
            if (!c) throw new Error('the agent is not running');
            return c.call<VmUsage>('GET', '/usage');
          },
        },
        (p) => this.emitEvent('stats.vm', p),
      ),
    };
  }

  private emitEvent<E extends EventName>(name: E, payload: BerthEvents[E]): void {
    this.emit('berth-event', name, payload);
  }

  /**
   * The running agent, started if needed. One client and one event stream at
   * a time: concurrent first calls share one connection attempt, and only the
   * current stream's end means the agent went away.
   */
  private async client(start: boolean): Promise<AgentClient | undefined> {
    if (this.agent) return this.agent;
    if (this.connecting) {
      const c = await this.connecting;
      if (c || !start) return c;
    }
    this.connecting = this.connect(start).finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private async connect(start: boolean): Promise<AgentClient | undefined> {
    const c = start ? await ensureAgent(this.host.paths, this.host.agentCommand) : new AgentClient(this.host.paths.controlSocket);
    if (!start && !(await c.alive())) return undefined;
    this.unfollow?.();
    const stream = {};
    this.stream = stream;
    this.agent = c;
    this.unfollow = c.follow(
      (e: AgentEvent) => {
        if (e.type === 'state') {
          this.emitEvent('vm.state', { state: e.state });
          if (e.state === 'running') this.followEngine();
        }
        if (e.type === 'boot-stage') this.emitEvent('vm.bootStage', { stage: e.stage });
      },
      () => {
        if (this.stream !== stream) return; // a stream we replaced ourselves
        this.agent = undefined;
        this.unfollowEngine?.();
        this.emitEvent('vm.state', { state: 'stopped' });
      },
    );
    const st = await c.call<AgentStatus>('GET', '/status').catch(() => undefined);
    if (st?.state === 'running') this.followEngine();
    return c;
  }

  /**
   * `GET /system/df`, one at a time: dockerd refuses a second while one runs
   * ("a disk usage operation is already running"), and the Volumes list and
   * the Resources page often ask together, so concurrent callers share one.
   */
  private diskUsage(): Promise<DiskUsage> {
    this.dfInFlight ??= this.docker()
      .df()
      .finally(() => (this.dfInFlight = undefined));
    return this.dfInFlight;
  }

  private docker(): Docker {
    return engineOverSocket(this.socketPath());
  }

  private socketPath(): string {
    try {
      const s = JSON.parse(readFileSync(this.host.paths.settings, 'utf8')) as Partial<Settings>;
      if (s.socketPath) return s.socketPath;
    } catch {
      // defaults
    }
    return this.host.paths.dockerSocket;
  }

  private async status(): Promise<AgentStatus> {
    const c = await this.client(false);
    if (c) return c.call<AgentStatus>('GET', '/status');
    const dockerHost = `unix://${this.socketPath()}`;
    return { state: 'stopped', checks: [], agentPid: 0, socketPath: this.socketPath(), dockerHost, dockerHostExport: exportDockerHost(dockerHost), settings: await this.settings(), sharedPaths: [], ports: [], portConflicts: [] };
  }

  private async settings(): Promise<Settings> {
    return new SettingsStore(this.host.paths.settings).load().settings;
  }

  /** Engine events mark the UI's lists stale; the store refetches them with a debounce. */
  private followEngine(): void {
    this.unfollowEngine?.();
    this.unfollowEngine = followContainerEvents(
      this.docker(),
      (e) => {
        // A (re)connect may have missed starts; a 'start' (also part of a restart) changes StartedAt.
        if (!e) this.startTimes.clear();
        else if (e.action === 'start') this.startTimes.delete(e.id);
        this.emitEvent('engine.changed', { kind: 'container' });
      },
      { warn: () => undefined },
    );
  }

  /** Stops following the agent and the engine (the app calls this on quit). */
  close(): void {
    this.stats.containers.close();
    this.stats.vm.close();
    this.logFollowers.close();
    this.stream = undefined;
    this.unfollow?.();
    this.unfollowEngine?.();
  }

  /** The handler table the dispatcher validates calls into. */
  handlers(): BerthHandlers {
    const agentCall = async (method: string, path: string): Promise<AgentStatus> => {
      const c = await this.client(true);
      return c!.call<AgentStatus>(method, path);
    };
    return {
      'vm.status': () => this.status(),
      'vm.start': () => agentCall('POST', '/start'),
      'vm.stop': async () => {
        const c = await this.client(false);
        return c ? c.call<AgentStatus>('POST', '/stop') : this.status();
      },
      'vm.restart': () => agentCall('POST', '/restart'),
      'vm.reset': async () => {
        await (await this.client(true))!.call('POST', '/reset');
        return null;
      },
      'containers.list': async () => {
        const d = this.docker();
        const list = (await d.listContainers({ all: true })).map(toContainer);
        const running = list.filter((c) => c.state === 'running');
        // The list has no start time: inspect each running container once per start, for a live uptime.
        await Promise.all(
          running
            .filter((c) => !this.startTimes.has(c.id))
            .map(async (c) => {
              const started = Date.parse((await d.getContainer(c.id).inspect().catch(() => undefined))?.State?.StartedAt ?? '');
              if (Number.isFinite(started)) this.startTimes.set(c.id, started);
            }),
        );
        const live = new Set(running.map((c) => c.id));
        for (const id of this.startTimes.keys()) if (!live.has(id)) this.startTimes.delete(id);
        for (const c of running) c.startedAt = this.startTimes.get(c.id);
        return list;
      },
      'containers.action': async (id, action) => {
        const c = this.docker().getContainer(id);
        if (action === 'remove') await c.remove({ force: true });
        else if (action === 'stop') await c.stop({ t: 5 });
        else await c[action]();
        return null;
      },
      'containers.inspect': async (id) => (await this.docker().getContainer(id).inspect()) as unknown as Record<string, unknown>,
      'containers.logs': async (id, lines) => {
        const buf = (await this.docker().getContainer(id).logs({ stdout: true, stderr: true, tail: lines, follow: false })) as unknown as Buffer;
        return demuxLogs(buf);
      },
      'containers.followLogs': (id, watcher, tail) => this.logFollowers.follow(watcher, id, tail),
      'containers.unfollowLogs': async (watcher) => {
        this.logFollowers.unfollow(watcher);
        return null;
      },
      'images.list': async () => {
        const [images, containers] = await Promise.all([this.docker().listImages(), this.docker().listContainers({ all: true })]);
        return images.map((i): ImageSummary => ({
          id: i.Id,
          tags: (i.RepoTags ?? []).filter((t) => t !== '<none>:<none>'),
          size: i.Size,
          created: i.Created,
          usedBy: containers.filter((c) => c.ImageID === i.Id).map(containerName),
        }));
      },
      'images.remove': async (id) => {
        await this.docker().getImage(id).remove();
        return null;
      },
      'images.prune': async () => ({ reclaimed: (await this.docker().pruneImages({ filters: { dangling: ['true'] } })).SpaceReclaimed ?? 0 }),
      'volumes.list': async () => {
        const [df, containers] = await Promise.all([this.diskUsage(), this.docker().listContainers({ all: true })]);
        return ((df.Volumes ?? []) as { Name: string; UsageData?: { Size: number } }[]).map(
          (v): VolumeSummary => ({
            name: v.Name,
            size: v.UsageData?.Size,
            usedBy: containers.filter((c) => c.Mounts?.some((m) => m.Name === v.Name)).map(containerName),
          }),
        );
      },
      'volumes.remove': async (name) => {
        await this.docker().getVolume(name).remove();
        return null;
      },
      'volumes.prune': async () => ({ reclaimed: (await this.docker().pruneVolumes()).SpaceReclaimed ?? 0 }),
      'system.df': async () => {
        const df = await this.diskUsage();
        const sum = (xs: { Size?: number; SizeRw?: number; UsageData?: { Size: number } }[] | undefined, f: (x: never) => number) => (xs ?? []).reduce((a, x) => a + (f(x as never) || 0), 0);
        return {
          images: df.LayersSize ?? 0,
          containers: sum(df.Containers, (c: { SizeRw?: number }) => c.SizeRw ?? 0),
          volumes: sum(df.Volumes, (v: { UsageData?: { Size: number } }) => v.UsageData?.Size ?? 0),
          buildCache: sum(df.BuildCache, (b: { Size?: number }) => b.Size ?? 0),
        };
      },
      'system.reclaim': (opts) => this.reclaim(opts.volumes),
      'stats.watch': async (topic: StatsTopic, watcher) => this.stats[topic].watch(watcher),
      'stats.unwatch': async (topic, watcher) => {
        this.stats[topic].unwatch(watcher);
        return null;
      },
      'settings.get': () => this.settings(),
      'settings.update': async (patch) => {
        return new SettingsStore(this.host.paths.settings).update(patch as Partial<Record<keyof Settings, unknown>>);
      },
      'loginItem.get': async () => this.host.loginItem.get(),
      'loginItem.set': async (enabled) => this.host.loginItem.set(enabled),
      'logs.tail': async (which, lines) => {
        try {
          return readFileSync(join(this.host.paths.logs, `${which}.log`), 'utf8').split('\n').slice(-lines - 1).join('\n');
        } catch {
          return '';
        }
      },
      'app.openExternal': async (url) => {
        const href = externalUrl(url);
        if (!href) throw new CodedError('refused', `only http://localhost:PORT and http://127.0.0.1:PORT can be opened, not ${JSON.stringify(url.slice(0, 100))}`);
        // Exactly what was checked, never the raw string.
        await this.host.openExternal(href);
        return null;
      },
    };
  }

  /**
   * `docker system prune` (stopped containers, unused networks, dangling
   * images, build cache), plus unused volumes when asked. The guest mounts its
   * data disk with online discard and QEMU passes discards to the qcow2, so
   * freed blocks leave the host file within the guest's next journal commit;
   * this waits for that, bounded, and reports the host-side size before and after.
   */
  private async reclaim(volumes: boolean): Promise<ReclaimResult> {
    const disk = vmPaths(this.host.paths.vm).dataDisk;
    const diskBefore = allocatedSize(disk)?.allocatedBytes;
    const d = this.docker();
    const containers = await d.pruneContainers();
    const networks = await d.pruneNetworks();
    const images = await d.pruneImages({ filters: { dangling: ['true'] } });
    const builder = (await d.pruneBuilder().catch(() => ({}))) as { SpaceReclaimed?: number; CachesDeleted?: string[] };
    const vols = volumes ? await d.pruneVolumes() : { SpaceReclaimed: 0, VolumesDeleted: [] as string[] };
    const reclaimedBytes = (containers.SpaceReclaimed ?? 0) + (images.SpaceReclaimed ?? 0) + (builder.SpaceReclaimed ?? 0) + (vols.SpaceReclaimed ?? 0);
    const diskAfter = reclaimedBytes > 0 && diskBefore !== undefined ? await settledSize(disk) : allocatedSize(disk)?.allocatedBytes;
    return {
      reclaimedBytes,
      removed: {
        containers: containers.ContainersDeleted?.length ?? 0,
        images: images.ImagesDeleted?.length ?? 0,
        volumes: vols.VolumesDeleted?.length ?? 0,
        networks: networks.NetworksDeleted?.length ?? 0,
        buildCache: builder.CachesDeleted?.length ?? 0,
      },
      diskBefore,
      diskAfter,
    };
  }
}

/** ext4 commits (and so discards) every 5 s: wait at least past one commit, at most RECLAIM_MAX_MS. */
const RECLAIM_MIN_MS = 6000;
const RECLAIM_MAX_MS = 8000;
/** The size counts as settled once it has not changed for this long. */
const RECLAIM_STABLE_MS = 2000;

/** The qcow2's allocated size once the guest's discards have stopped shrinking it, bounded in time. */
async function settledSize(path: string): Promise<number | undefined> {
  const start = Date.now();
  let last = allocatedSize(path)?.allocatedBytes;
  let changedAt = start;
  while (Date.now() - start < RECLAIM_MAX_MS) {
    await new Promise((r) => setTimeout(r, 500));
    const now = allocatedSize(path)?.allocatedBytes;
    if (now !== last) {
      last = now;
      changedAt = Date.now();
    } else if (Date.now() - start >= RECLAIM_MIN_MS && Date.now() - changedAt >= RECLAIM_STABLE_MS) {
      break;
    }
  }
  return last;
}

function toContainer(c: Docker.ContainerInfo): ContainerSummary {
  return {
    id: c.Id,
    name: containerName(c),
    image: c.Image,
    state: c.State,
    status: c.Status,
    created: c.Created,
    ports: uniquePorts(c.Ports ?? []),
    composeProject: c.Labels?.['com.docker.compose.project'],
  };
}

type DiskUsage = Awaited<ReturnType<Docker['df']>>;

/** Docker lists a published port once per address family (0.0.0.0 and ::); the UI shows it once. */
function uniquePorts(ports: Docker.Port[]): ContainerSummary['ports'] {
  const seen = new Map<string, ContainerSummary['ports'][number]>();
  for (const p of ports) if (p.PublicPort) seen.set(`${p.PublicPort}/${p.PrivatePort}/${p.Type}`, { host: p.PublicPort, container: p.PrivatePort, proto: p.Type });
  return [...seen.values()];
}

/** Docker multiplexes stdout and stderr of a non-tty container into 8-byte-framed chunks. */
export function demuxLogs(buf: Buffer | string): string {
  if (typeof buf === 'string') return buf;
  const out: Buffer[] = [];
  let i = 0;
  while (i + 8 <= buf.length && (buf[i] === 1 || buf[i] === 2 || buf[i] === 0) && buf[i + 1] === 0 && buf[i + 2] === 0 && buf[i + 3] === 0) {
    const len = buf.readUInt32BE(i + 4);
    out.push(buf.subarray(i + 8, i + 8 + len));
    i += 8 + len;
  }
  return i === 0 ? buf.toString('utf8') : Buffer.concat(out).toString('utf8');
}
