import type Docker from 'dockerode';
import { containerName } from '../engine/container-name';
import type { BerthHandlers } from './dispatcher';
import type { ContainerSummary, ImageSummary, ReclaimResult, VolumeSummary } from './berth-api';

/** The contract calls that map engine objects (containers, images, volumes, disk usage) to the UI's shapes. */
export type EngineCalls = Pick<
  BerthHandlers,
  | 'containers.list'
  | 'containers.action'
  | 'containers.inspect'
  | 'containers.logs'
  | 'images.list'
  | 'images.remove'
  | 'images.prune'
  | 'volumes.list'
  | 'volumes.remove'
  | 'volumes.prune'
  | 'system.df'
  | 'system.reclaim'
>;

/**
 * Containers, images and volumes through dockerode on Berth's socket. It
 * keeps two small caches the engine makes necessary: each running container's
 * start time (the list has none), and one disk-usage call at a time.
 */
export class EngineObjects {
  private dfInFlight?: Promise<DiskUsage>;
  /** StartedAt of running containers, so a list refetch inspects only containers that started since the last. */
  private readonly startTimes = new Map<string, number>();

  constructor(
    private readonly docker: () => Docker,
    /** The data disk's size on the host, from the agent (which owns the VM's files). */
    private readonly diskBytes: () => Promise<number | undefined>,
  ) {}

  /** A container event (from the agent's stream; empty after it reconnected): a 'start', or a missed one, changes StartedAt. */
  noteEvent(e: { id?: string; action?: string }): void {
    if (!e.id) this.startTimes.clear();
    else if (e.action === 'start') this.startTimes.delete(e.id);
  }

  handlers(): EngineCalls {
    return { ...this.containerCalls(), ...this.imageCalls(), ...this.volumeCalls(), ...this.diskCalls() };
  }

  private containerCalls() {
    return {
      'containers.list': async () => {
        const d = this.docker();
        const list = (await d.listContainers({ all: true })).map(toContainer);
        const running = list.filter((c) => c.state === 'running');
        // The list has no start time: inspect each running container once per start, for a live uptime.
        await Promise.all(
          running
            .filter((c) => !this.startTimes.has(c.id))
            .map(async (c) => {
              const started = Date.parse(
                (
                  await d
                    .getContainer(c.id)
                    .inspect()
                    .catch(() => undefined)
                )?.State?.StartedAt ?? '',
              );
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
    } satisfies Partial<EngineCalls>;
  }

  private imageCalls() {
    return {
      'images.list': async () => {
        const [images, containers] = await Promise.all([this.docker().listImages(), this.docker().listContainers({ all: true })]);
        return images.map(
          (i): ImageSummary => ({
            id: i.Id,
            tags: (i.RepoTags ?? []).filter((t) => t !== '<none>:<none>'),
            size: i.Size,
            created: i.Created,
            usedBy: containers.filter((c) => c.ImageID === i.Id).map(containerName),
          }),
        );
      },
      'images.remove': async (id) => {
        await this.docker().getImage(id).remove();
        return null;
      },
      'images.prune': async () => ({ reclaimed: (await this.docker().pruneImages({ filters: { dangling: ['true'] } })).SpaceReclaimed ?? 0 }),
    } satisfies Partial<EngineCalls>;
  }

  private volumeCalls() {
    return {
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
    } satisfies Partial<EngineCalls>;
  }

  private diskCalls() {
    return {
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
    } satisfies Partial<EngineCalls>;
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

  /**
   * `docker system prune` (stopped containers, unused networks, dangling
   * images, build cache), plus unused volumes when asked. The guest mounts its
   * data disk with online discard and QEMU passes discards to the qcow2, so
   * freed blocks leave the host file within the guest's next journal commit;
   * this waits for that, bounded, and reports the host-side size before and after.
   */
  private async reclaim(volumes: boolean): Promise<ReclaimResult> {
    const diskBefore = await this.diskBytes();
    const d = this.docker();
    const containers = await d.pruneContainers();
    const networks = await d.pruneNetworks();
    const images = await d.pruneImages({ filters: { dangling: ['true'] } });
    const builder = (await d.pruneBuilder().catch(() => ({}))) as { SpaceReclaimed?: number; CachesDeleted?: string[] };
    const vols = volumes ? await d.pruneVolumes() : { SpaceReclaimed: 0, VolumesDeleted: [] as string[] };
    const reclaimedBytes = (containers.SpaceReclaimed ?? 0) + (images.SpaceReclaimed ?? 0) + (builder.SpaceReclaimed ?? 0) + (vols.SpaceReclaimed ?? 0);
    const diskAfter = reclaimedBytes > 0 && diskBefore !== undefined ? await settledSize(this.diskBytes) : await this.diskBytes();
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
async function settledSize(size: () => Promise<number | undefined>): Promise<number | undefined> {
  const start = Date.now();
  let last = await size();
  let changedAt = start;
  while (Date.now() - start < RECLAIM_MAX_MS) {
    await new Promise((r) => setTimeout(r, 500));
    const now = await size();
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
