import type { Logger } from '../common/logger';
import { mkdirSync } from 'node:fs';
import { hostBase, type Accelerator, type HostBase } from './accel';
import { ensureDataDisk } from './data-disk';
import type { AccelPolicy } from './accel-policy';
import type { VmAssets } from './assets';
import type { STAGE_BOUNDS_MS } from './boot-watchdog';
import { requireQemuTools } from './host-tools';
import type { Machine, MachineCapabilities, MachineDriver, MachineStartRequest } from './machine-driver';
import { profileFor } from './machine-profile';
import { reapStaleQemu } from './stale-qemu';
import { bootVm } from './vm-boot';
import { vmPaths } from './vm-instance';
import { allocatedSize } from './vm-usage';

/** What the QEMU driver is given. */
export interface QemuDriverOptions {
  /** Where the machine keeps its disk, TLS material, QMP socket and pid file. */
  stateDir: string;
  assets: () => VmAssets;
  accel: AccelPolicy;
  host?: () => HostBase;
  stageBounds?: typeof STAGE_BOUNDS_MS;
}

/**
 * Runs the guest under QEMU: the profile of the host's architecture, the
 * accelerator policy with its fallback, the boot watchdog, and the QEMU
 * processes (each dies with the agent; a leftover one is reaped).
 */
export class QemuDriver implements MachineDriver {
  readonly name = 'qemu';

  constructor(private readonly o: QemuDriverOptions) {}

  capabilities(): MachineCapabilities {
    const host = (this.o.host ?? hostBase)();
    const hardware: Accelerator[] = host.platform === 'darwin' ? ['hvf'] : host.platform === 'linux' ? ['kvm'] : [];
    return { arch: profileFor(host.arch).arch, accelerators: [...hardware, 'tcg'], portForwarding: true, sharedFolders: '9p', snapshots: false };
  }

  createDisk(sizeGiB: number): { created: boolean } {
    mkdirSync(this.o.stateDir, { recursive: true, mode: 0o700 });
    return ensureDataDisk(vmPaths(this.o.stateDir).dataDisk, sizeGiB);
  }

  diskBytes(): number | undefined {
    return allocatedSize(vmPaths(this.o.stateDir).dataDisk)?.allocatedBytes;
  }

  validate(): void {
    requireQemuTools(profileFor((this.o.host ?? hostBase)().arch).qemuBinary);
  }

  reapStale(log: Logger): Promise<void> {
    return reapStaleQemu(vmPaths(this.o.stateDir), log);
  }

  async start(req: MachineStartRequest): Promise<Machine> {
    // Read once per boot, here: a missing or partial guest image fails before any QEMU starts.
    const assets = this.o.assets();
    return bootVm({
      dir: this.o.stateDir,
      res: req.res,
      assets,
      host: (this.o.host ?? hostBase)(),
      enginePort: req.enginePort,
      accel: this.o.accel,
      log: req.log,
      bounds: this.o.stageBounds,
      onAttempt: req.onAttempt,
      onNotice: req.onNotice,
      ready: req.ready,
    });
  }
}
