import type { Logger } from '../../common/logger';
import { mkdirSync } from 'node:fs';
import { delimiter } from 'node:path';
import { hostBase, type AccelChoice, type Accelerator, type HostBase } from '../accel';
import { createHash } from 'node:crypto';
import { currentHost, type HostFacts } from '../host-facts';
import { readQemuVersion } from './qemu-version';
import { ensureDataDisk, growDataDisk } from './data-disk';
import type { AccelPolicy } from './accel-policy';
import type { VmAssets } from '../assets';
import { softwareBounds, type STAGE_BOUNDS_MS } from './boot-watchdog';
import type { Machine, MachineCapabilities, MachineDriver, MachineStartRequest } from '../machine-driver';
import { profileFor } from './machine-profile';
import { KNOWN_QEMU_DIRS, locateQemu, loginShellPath, type QemuLocation } from './qemu-locator';
import { reapStaleQemu } from './stale-qemu';
import { findExecutable } from '../../common/executables';
import { bootVm } from './vm-boot';
import { vmPaths } from './vm-paths';
import { deleteSavedState, diskFingerprint, staleReason, type SavedState, type SavedStateKey } from './saved-state';
import { allocatedSize } from '../vm-usage';
import type { BootHost } from './accel-choice';
import { BootFailure } from '../boot-failure';
import type { VmResources } from '../resources';

/** Generous: saving a few hundred MiB of guest memory takes about a second, more on a busy disk. */
const SAVE_TIMEOUT_MS = 120_000;

/** What identifies a guest image: its build inputs and its artifacts' hashes (not their measured sizes, which a later --measure adds). */
function guestKey(assets: VmAssets): string {
  const h = createHash('sha256').update(assets.manifest.inputsKey);
  for (const [name, a] of Object.entries(assets.manifest.artifacts).sort()) h.update(`${name}=${a.sha256};`);
  return h.digest('hex').slice(0, 16);
}

/** What the QEMU driver is given. */
export interface QemuDriverOptions {
  /** Where the machine keeps its disk, TLS material, QMP socket and pid file. */
  stateDir: string;
  assets: () => VmAssets;
  accel: AccelPolicy;
  /** The host's facts (the one source; a simulated Mac in its tests). */
  facts?: HostFacts;
  /** The platform, architecture and cores a guest is run for: the host's, or another architecture's under TCG. */
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
  /**
   * The machine `suspend` saved, known only to this process: an agent that
   * starts finds no record, so a state left by one that crashed is never
   * loaded (its first boot deletes it).
   */
  private saved?: { res: VmResources; enginePort: number; accel: AccelChoice; state: SavedState };
  private readonly facts: HostFacts;
  /** The QEMU and guest of the current start: what a state saved now is tied to. */
  private current?: Omit<SavedStateKey, 'machineType'>;

  constructor(private readonly opts: QemuDriverOptions) {
    this.facts = opts.facts ?? currentHost();
  }

  private host(): HostBase {
    return this.opts.host?.() ?? hostBase(this.facts);
  }

  capabilities(): MachineCapabilities {
    const host = this.host();
    const hardware: Accelerator[] = host.platform === 'darwin' ? ['hvf'] : host.platform === 'linux' ? ['kvm'] : [];
    return { arch: profileFor(host.arch).arch, accelerators: [...hardware, 'tcg'], portForwarding: true, sharedFolders: '9p', snapshots: true };
  }

  createDisk(sizeGiB: number): { created: boolean } {
    mkdirSync(this.opts.stateDir, { recursive: true, mode: 0o700 });
    return ensureDataDisk(vmPaths(this.opts.stateDir).dataDisk, sizeGiB);
  }

  diskBytes(): number | undefined {
    return allocatedSize(vmPaths(this.opts.stateDir).dataDisk)?.allocatedBytes;
  }

  /** Finds QEMU (throwing where it looked and how to install it) before any start. */
  async validate(): Promise<QemuLocation> {
    const host = this.host();
    const env = this.opts.env ?? process.env;
    const where = await locateQemu({
      binary: profileFor(host.arch).qemuBinary,
      setting: this.opts.qemuPath?.(),
      path: env.PATH ?? '',
      knownDirs: this.opts.knownQemuDirs ?? KNOWN_QEMU_DIRS[host.platform] ?? [],
      loginShellPath: (flags) => loginShellPath(env, flags),
      platform: host.platform,
    });
    if (where.source !== 'PATH') {
      // Found off PATH: its folder goes first on this agent's PATH, so the probe, the emulator and qemu-img all come from it.
      env.PATH = [where.dir, ...(env.PATH ?? '').split(delimiter).filter((d) => d && d !== where.dir)].join(delimiter);
      this.opts.log?.info(`vm: using QEMU from ${where.dir} (${where.source})`);
    }
    return where;
  }

  socketPaths(): string[] {
    const p = vmPaths(this.opts.stateDir);
    return [p.qmpSocket, p.controlSocket, p.ownSocket, p.syncSockets.commands, p.syncSockets.changes];
  }

  reapStale(log: Logger): Promise<void> {
    return reapStaleQemu(vmPaths(this.opts.stateDir), log, (pid) => this.facts.processArgs(pid));
  }

  async start(req: MachineStartRequest): Promise<Machine> {
    // Read once per boot, here: a missing or partial guest image fails before any QEMU starts.
    const assets = this.opts.assets();
    const host = this.bootHost();
    this.current = { qemu: host.qemu.text, guest: guestKey(assets), compressor: host.stateCompressor };
    const boot = {
      dir: this.opts.stateDir,
      res: req.res,
      assets,
      host,
      enginePort: req.enginePort,
      accel: this.opts.accel,
      log: req.log,
      bounds: this.opts.stageBounds ?? (this.facts.simulated ? softwareBounds() : undefined),
      onAttempt: req.onAttempt,
      onNotice: req.onNotice,
      ready: req.ready,
    };
    const saved = this.saved;
    this.saved = undefined;
    const stale = saved && staleReason(saved.state, this.current);
    if (req.wake && saved && stale) req.log.warn(`vm: the saved VM state cannot be resumed (${stale}); booting afresh`);
    if (req.wake && saved && !stale) {
      try {
        const resume = { file: saved.state.file, machineType: saved.state.key.machineType, compressor: saved.state.key.compressor, accel: saved.accel };
        const vm = await bootVm({ ...boot, res: saved.res, enginePort: saved.enginePort, resume });
        // Stale from now on: the guest writes its disk again.
        deleteSavedState(saved.state.file);
        return vm;
      } catch (e) {
        if (e instanceof BootFailure && e.kind === 'cancelled') throw e;
        const notice = `could not resume the sleeping VM (${(e as Error).message.split('\n')[0]}); starting it afresh`;
        req.log.warn(`vm: ${notice}`);
        req.onNotice?.(notice);
      }
    }
    // Before QEMU opens the disk: a boot (or a resize) changes it, so no saved state may outlive it.
    this.deleteSaved(req.log);
    this.growDisk(req.res.diskGiB, req.log);
    return bootVm(boot);
  }

  async suspend(m: Machine, log: Logger): Promise<void> {
    if (!m.suspend) throw new Error('this machine cannot be saved');
    const t0 = Date.now();
    await m.suspend(SAVE_TIMEOUT_MS);
    const p = vmPaths(this.opts.stateDir);
    const key = { ...this.current!, machineType: m.machineType ?? profileFor(m.host.arch).machine };
    const state = { file: p.savedState, disk: diskFingerprint(p.dataDisk), key };
    const accel = { accel: m.host.accel, reason: m.host.accelReason, forced: false, fallback: m.host.accelFallback };
    this.saved = { res: m.res, enginePort: m.enginePort, accel, state };
    log.info(`vm: state saved in ${Date.now() - t0} ms`);
  }

  forgetAccelVerdict(): void {
    this.opts.accel.forget();
  }

  discardSaved(log: Logger): void {
    this.saved = undefined;
    this.deleteSaved(log);
  }

  /** The host of one start: QEMU's version read once here, and the CPU's features. */
  private bootHost(): Omit<BootHost, 'accel' | 'accelReason'> {
    const base = this.host();
    // zstd comes from the PATH QEMU was found on, so Homebrew's (a dependency of its QEMU) is found beside it.
    const stateCompressor = findExecutable('zstd', (this.opts.env ?? process.env).PATH);
    return {
      ...base,
      qemu: readQemuVersion(profileFor(base.arch).qemuBinary),
      sme: this.facts.cpuHasSme(),
      childDiesWithParent: this.facts.childDiesWithParent,
      stateCompressor,
      virtiofsd: this.facts.virtiofsd(),
    };
  }

  /** A raised diskGiB grows the disk before the boot; the guest grows its filesystem to match. */
  private growDisk(sizeGiB: number, log: Logger): void {
    const r = growDataDisk(vmPaths(this.opts.stateDir).dataDisk, sizeGiB);
    if (r && 'toGiB' in r) log.info(`vm: grew the data disk from ${r.fromGiB} GiB to ${r.toGiB} GiB`);
    if (r && 'keptGiB' in r) log.warn(`vm: diskGiB is ${sizeGiB}, but the data disk is ${r.keptGiB} GiB; a disk is never shrunk (that would cut into its data), so it stays at ${r.keptGiB} GiB`);
  }

  private deleteSaved(log: Logger): void {
    if (deleteSavedState(vmPaths(this.opts.stateDir).savedState)) log.info('vm: deleted the saved VM state: the data disk may change from now on');
  }
}
