import type { Logger } from '../common/logger';
import { mkdirSync } from 'node:fs';
import { delimiter } from 'node:path';
import { hostBase, type Accelerator, type HostBase } from './accel';
import { ensureDataDisk } from './data-disk';
import type { AccelPolicy } from './accel-policy';
import type { VmAssets } from './assets';
import type { STAGE_BOUNDS_MS } from './boot-watchdog';
import type { Machine, MachineCapabilities, MachineDriver, MachineStartRequest } from './machine-driver';
import { profileFor } from './machine-profile';
import { KNOWN_QEMU_DIRS, locateQemu, loginShellPath, type QemuLocation } from './qemu-locator';
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
  /** The qemuPath setting, read at each start. */
  qemuPath?: () => string;
  /** Where to look when QEMU is not on PATH; the platform's usual places unless given. */
  knownQemuDirs?: readonly string[];
  log?: Logger;
  /** The environment whose PATH is searched, and amended when QEMU is found off it (the agent's own). */
  env?: NodeJS.ProcessEnv;
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

  /** Finds QEMU (throwing where it looked and how to install it) before any start. */
  validate(): QemuLocation {
    const host = (this.o.host ?? hostBase)();
    const env = this.o.env ?? process.env;
    const where = locateQemu({
      binary: profileFor(host.arch).qemuBinary,
      setting: this.o.qemuPath?.(),
      path: env.PATH ?? '',
      knownDirs: this.o.knownQemuDirs ?? KNOWN_QEMU_DIRS[host.platform] ?? [],
      loginShellPath: () => loginShellPath(env),
      platform: host.platform,
    });
    if (where.source !== 'PATH') {
      // Found off PATH: its folder goes first on this agent's PATH, so the probe, the emulator and qemu-img all come from it.
      env.PATH = [where.dir, ...(env.PATH ?? '').split(delimiter).filter((d) => d && d !== where.dir)].join(delimiter);
      this.o.log?.info(`vm: using QEMU from ${where.dir} (${where.source})`);
    }
    return where;
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
