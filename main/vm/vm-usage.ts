import { statSync } from 'node:fs';
import pidusage from 'pidusage';

/** The guest's own view of its memory (QEMU reads it from the virtio-balloon statistics). */
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
  /** The guest's own memory figures, where the machine can read them (Machine.guestMemory). */
  guestMemory?: () => Promise<GuestMemory | undefined>;
  dataDisk: string;
}

/** Samples the VM's CPU and memory on demand, from its process on the host and the guest's own figures. */
export class VmUsageSampler {
  /** pidusage needs a previous reading of the same QEMU before its CPU figure means anything. */
  private sampledPid?: number;

  async sample(t: UsageTarget): Promise<VmUsage> {
    const [proc, guest] = await Promise.all([pidusage(t.pid), t.guestMemory?.()]);
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

  /** Forgets pidusage's history once the process it sampled has gone. */
  forget(): void {
    this.sampledPid = undefined;
    pidusage.clear();
  }
}

/** Blocks really allocated, so a trimmed qcow2 shows its shrink even though its length stays. */
export function allocatedSize(path: string): { allocatedBytes: number; path: string } | undefined {
  try {
    return { allocatedBytes: statSync(path).blocks * 512, path };
  } catch {
    return undefined;
  }
}
