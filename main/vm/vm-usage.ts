import { statSync } from 'node:fs';
import pidusage from 'pidusage';
import { BALLOON_ID } from '../link/guest';
import type { QmpClient } from './qmp-client';

/** The guest's own view of its memory, from the virtio-balloon statistics. */
export interface GuestMemory {
  totalBytes: number;
  /** What the guest could hand to a new process without swapping (MemAvailable). */
  availableBytes: number;
  usedBytes: number;
  cacheBytes: number;
}

/** One sample of what the VM costs, for the Resources page's graphs. */
export interface VmUsage {
  /** Milliseconds since the epoch. */
  at: number;
  /** QEMU's CPU time as a percentage of the VM's vCPUs (100 = every vCPU busy), as the host sees it; absent on the first sample. */
  cpuPercent?: number;
  cpus: number;
  /** QEMU's resident memory on the host. */
  hostResidentBytes: number;
  /** The memory the VM was given. */
  memoryBytes: number;
  /** Absent until the guest's balloon driver has answered once. */
  guest?: GuestMemory;
  /** The data disk: what the qcow2 really occupies on the host, and its virtual size. */
  disk?: { allocatedBytes: number; path: string };
}

/** What the sampler needs from the running VM. */
export interface UsageTarget {
  pid: number;
  cpus: number;
  memoryMiB: number;
  qmp?: QmpClient;
  dataDisk: string;
}

type BalloonStats = { stats?: Record<string, number>; 'last-update'?: number };

/** Balloon statistics are polled only while a sample was asked for in the last LINGER_MS. */
const POLL_SECONDS = 2;
const LINGER_MS = 15_000;

/**
 * Samples the VM's CPU and memory on demand. The guest polls its balloon
 * statistics only while someone is sampling: the first sample switches the
 * polling on, and it is switched off again LINGER_MS after the last one, so a
 * closed Resources page costs the guest nothing.
 */
export class VmUsageSampler {
  private polling = false;
  private lingerTimer?: NodeJS.Timeout;
  /** pidusage needs a previous reading of the same QEMU before its CPU figure means anything. */
  private sampledPid?: number;

  async sample(t: UsageTarget): Promise<VmUsage> {
    const [proc, guest] = await Promise.all([pidusage(t.pid), this.guestMemory(t.qmp)]);
    const first = this.sampledPid !== t.pid;
    this.sampledPid = t.pid;
    return {
      at: Date.now(),
      cpuPercent: first ? undefined : Math.round((proc.cpu / t.cpus) * 10) / 10,
      cpus: t.cpus,
      hostResidentBytes: proc.memory,
      memoryBytes: t.memoryMiB * 1024 * 1024,
      guest,
      disk: allocatedSize(t.dataDisk),
    };
  }

  private async guestMemory(qmp: QmpClient | undefined): Promise<GuestMemory | undefined> {
    if (!qmp || qmp.closed) return undefined;
    const path = `/machine/peripheral/${BALLOON_ID}`;
    clearTimeout(this.lingerTimer);
    this.lingerTimer = setTimeout(() => {
      this.polling = false;
      void qmp.execute('qom-set', { path, property: 'guest-stats-polling-interval', value: 0 }).catch(() => undefined);
    }, LINGER_MS);
    this.lingerTimer.unref();
    try {
      if (!this.polling) {
        await qmp.execute('qom-set', { path, property: 'guest-stats-polling-interval', value: POLL_SECONDS });
        this.polling = true;
      }
      return guestMemoryFrom(await qmp.execute<BalloonStats>('qom-get', { path, property: 'guest-stats' }));
    } catch {
      return undefined; // no balloon (an older guest image) or the driver is not loaded yet
    }
  }

  /** Forgets the polling state and pidusage's history once the QEMU it sampled has gone. */
  forget(): void {
    clearTimeout(this.lingerTimer);
    this.polling = false;
    this.sampledPid = undefined;
    pidusage.clear();
  }
}

/** Turns QEMU's balloon statistics into bytes; QEMU reports -1 for what the guest has not sent yet. */
export function guestMemoryFrom(b: BalloonStats): GuestMemory | undefined {
  const s = b.stats ?? {};
  const total = s['stat-total-memory'] ?? -1;
  const available = s['stat-available-memory'] ?? -1;
  if (!b['last-update'] || total <= 0 || available < 0) return undefined;
  return {
    totalBytes: total,
    availableBytes: available,
    usedBytes: Math.max(0, total - available),
    cacheBytes: Math.max(0, s['stat-disk-caches'] ?? 0),
  };
}

/** Blocks really allocated, so a trimmed qcow2 shows its shrink even though its length stays. */
export function allocatedSize(path: string): { allocatedBytes: number; path: string } | undefined {
  try {
    return { allocatedBytes: statSync(path).blocks * 512, path };
  } catch {
    return undefined;
  }
}
