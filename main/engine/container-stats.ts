import type Docker from 'dockerode';

/** One container's CPU and memory at one moment, as the Containers page shows them. */
export interface ContainerStats {
  id: string;
  /** Percent of one CPU, like `docker stats` (200 = two CPUs busy); absent on the first sample. */
  cpuPercent?: number;
  /** Memory in use without the reclaimable page cache, like `docker stats`. */
  memoryBytes: number;
  memoryLimitBytes: number;
}

/** The parts of Docker's stats document the figures come from. */
export interface RawStats {
  cpu_stats?: { cpu_usage?: { total_usage?: number }; system_cpu_usage?: number; online_cpus?: number };
  memory_stats?: { usage?: number; limit?: number; stats?: Record<string, number> };
}

/** CPU % between two samples of the same container, the way the docker CLI computes it. */
export function cpuPercent(prev: RawStats, cur: RawStats): number | undefined {
  const cpu = (cur.cpu_stats?.cpu_usage?.total_usage ?? 0) - (prev.cpu_stats?.cpu_usage?.total_usage ?? 0);
  const system = (cur.cpu_stats?.system_cpu_usage ?? 0) - (prev.cpu_stats?.system_cpu_usage ?? 0);
  const online = cur.cpu_stats?.online_cpus ?? 1;
  if (system <= 0 || cpu < 0) return undefined;
  return Math.round((cpu / system) * online * 1000) / 10;
}

/** Usage minus inactive file cache: cgroup v2 calls it inactive_file, v1 total_inactive_file. */
export function memoryUsed(s: RawStats): number {
  const m = s.memory_stats ?? {};
  const cache = m.stats?.inactive_file ?? m.stats?.total_inactive_file ?? 0;
  return Math.max(0, (m.usage ?? 0) - cache);
}

/** At most this many stats requests in flight, so a host with many containers does not flood the engine. */
const CONCURRENCY = 8;

/** How long a first reading waits for a second, so CPU % shows at once rather than a period later. */
const FIRST_GAP_MS = 500;

/**
 * Samples every running container once per call with one-shot stats (no
 * two-second wait inside dockerd), and derives CPU % from the previous call's
 * sample. A container it has not read before (the first call of a watch, a
 * container that just started) is read twice, FIRST_GAP_MS apart, so it has a
 * CPU figure in its first sample. It is only called while a page that shows
 * stats is open.
 */
export class ContainerStatsSampler {
  private prev = new Map<string, RawStats>();

  constructor(
    private readonly docker: () => Docker,
    private readonly firstGapMs = FIRST_GAP_MS,
  ) {}

  async sample(): Promise<ContainerStats[]> {
    const docker = this.docker();
    const running = await docker.listContainers({ filters: { status: ['running'] } });
    const fresh = running.filter((c) => !this.prev.has(c.Id));
    if (fresh.length) {
      for (const [id, raw] of await this.read(docker, fresh)) this.prev.set(id, raw);
      await new Promise((r) => setTimeout(r, this.firstGapMs));
    }
    const next = await this.read(docker, running);
    const out = [...next].map(([id, raw]) => {
      const before = this.prev.get(id);
      return { id, cpuPercent: before ? cpuPercent(before, raw) : undefined, memoryBytes: memoryUsed(raw), memoryLimitBytes: raw.memory_stats?.limit ?? 0 };
    });
    this.prev = next;
    return out;
  }

  /** One reading of each container, CONCURRENCY at a time; one that stopped meanwhile is left out. */
  private async read(docker: Docker, running: Docker.ContainerInfo[]): Promise<Map<string, RawStats>> {
    const got = new Map<string, RawStats>();
    for (let i = 0; i < running.length; i += CONCURRENCY) {
      const batch = running.slice(i, i + CONCURRENCY);
      const raws = await Promise.all(
        batch.map((c) =>
          // one-shot skips dockerd's wait for a second sample; CPU % comes from our own previous reading
          (docker.getContainer(c.Id).stats({ stream: false, 'one-shot': true } as { stream: false }) as unknown as Promise<RawStats>).catch(() => undefined),
        ),
      );
      batch.forEach((c, j) => {
        const raw = raws[j];
        if (raw) got.set(c.Id, raw);
      });
    }
    return got;
  }

  /** Drops the history, so the next sample starts fresh (after the watchers went away). */
  reset(): void {
    this.prev.clear();
  }
}
