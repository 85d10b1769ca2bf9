import { EventEmitter } from 'node:events';
import type { HostForwards, Machine, ShareEvents, SyncPorts } from '../machine-driver';
import type { GuestMemory } from '../vm-usage';
import { BalloonStatsReader } from './balloon-stats';
import { qmpForwarder } from './qmp-forwarder';
import type { VmResources } from '../resources';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { ensureTlsMaterial, type TlsPaths } from '../../link/tls-material';
import { loadClientCreds, pingEngineTls, type TlsClientCreds } from '../../link/tls-ping';
import type { VmAssets } from '../assets';
import { ensureDataDisk } from './data-disk';
import type { BootMarker } from '../../link/guest';
import { buildQemuCommand, type QemuCommand } from './qemu-args';
import { QemuProcess, type QemuExit } from './qemu-process';
import { QmpClient } from './qmp-client';
import { writeMountList } from '../shared-folders';
import { DEFAULT_SHARE_OPTIONS, describeShareOptions, guestMount, type ShareOptions } from '../share-options';
import { chooseShareTransport, type ShareTransport } from '../share-transport';
import { VirtiofsDaemons } from './virtiofs-daemons';
import { sleep } from '../../common/sleep';
import { GuestControl } from './guest-control';
import { OwnChanges } from './own-changes';
import { connectSyncPorts } from './sync-ports';
import { type VmPaths, vmPaths } from './vm-paths';
import { loadDone, resolvedMachineType, saveState, type StateRef } from './saved-state';
import { profileFor } from './machine-profile';
import type { BootHost } from './accel-choice';

/** A saved state to resume instead of booting, and the versioned machine type it was saved on (see saved-state.ts). */
export type ResumeFrom = StateRef & { machineType: string };

/**
 * One boot of the guest: prepares the data disk and TLS material, starts QEMU,
 * connects QMP, and tells when the engine answers. It knows nothing about
 * retries or state; the supervisor owns those.
 */
export class VmInstance extends EventEmitter implements Machine {
  readonly paths: VmPaths;
  readonly tls: TlsPaths;
  readonly command: QemuCommand;
  qemu?: QemuProcess;
  qmp?: QmpClient;
  /** The guest's control port, once QEMU runs. */
  control?: GuestControl;
  /** The guest's record of its containers' own changes, once QEMU runs. */
  private own?: OwnChanges;
  /** Published ports, through QEMU's user network over QMP, once QEMU runs. */
  forwards?: HostForwards;
  private balloon?: BalloonStatsReader;
  /** The versioned machine type QEMU resolved `-M pc`/`virt` to (pc-i440fx-7.2, virt-9.2, …): a saved state is tied to it. */
  machineType?: string;
  private creds?: TlsClientCreds;
  /** The share options asked for, or the shipped ones. */
  private readonly shareOptions: ShareOptions;
  /** 9p, or virtio-fs with the virtiofsd processes this boot starts, on these sockets (one per share). */
  readonly transport: ShareTransport;
  private readonly virtiofsSockets?: string[];
  private daemons?: VirtiofsDaemons;

  constructor(
    dir: string,
    readonly res: VmResources,
    assets: VmAssets,
    readonly host: BootHost,
    readonly enginePort: number,
    /** The saved state to resume instead of booting, and the versioned machine type it was saved on (see saved-state.ts). */
    readonly resume?: ResumeFrom,
  ) {
    super();
    this.paths = vmPaths(dir);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.tls = ensureTlsMaterial(this.paths.tlsDir);
    this.shareOptions = res.shareOptions ?? DEFAULT_SHARE_OPTIONS;
    this.transport = chooseShareTransport(this.shareOptions, host.virtiofsd);
    this.virtiofsSockets = this.transport.kind === 'virtiofs' ? (res.shares ?? []).map((_, i) => this.paths.virtiofsSocket(i)) : undefined;
    this.command = buildQemuCommand(
      {
        cpus: res.cpus,
        memoryMiB: res.memoryMiB,
        kernel: assets.kernel,
        initrd: assets.initrd,
        cmdline: assets.manifest.cmdline,
        rootfs: assets.rootfs,
        dataDisk: this.paths.dataDisk,
        guestTlsDir: this.paths.tlsDir,
        enginePort,
        qmpSocket: this.paths.qmpSocket,
        pidFile: this.paths.pidFile,
        shares: res.shares ?? [],
        shareSecurityModel: this.shareOptions.securityModel,
        virtiofsSockets: this.virtiofsSockets,
        mountList: this.paths.mountList,
        daemonJson: res.engineConfig ? this.paths.daemonJson : undefined,
        controlSocket: this.paths.controlSocket,
        ownSocket: this.paths.ownSocket,
        syncSockets: this.paths.syncSockets,
        resumeFrom: resume && { file: resume.file, compressor: resume.compressor },
        machineType: resume?.machineType,
        tcgThreads: res.tcgThreads,
      },
      host,
    );
  }

  get pid(): number | undefined {
    return this.qemu?.pid;
  }

  get running(): boolean {
    return !!this.qemu?.running;
  }

  get dataDisk(): string {
    return this.paths.dataDisk;
  }

  exited(): Promise<QemuExit> {
    return this.qemu ? this.qemu.wait() : Promise.resolve({ code: null, signal: null });
  }

  async runState(timeoutMs: number): Promise<string> {
    if (!this.qmp || this.qmp.closed) throw new Error('QMP is not connected');
    return (await this.qmp.execute<{ status: string }>('query-status', undefined, timeoutMs)).status;
  }

  /** Starts QEMU and connects QMP. Console lines and markers are re-emitted. */
  async start(): Promise<void> {
    ensureDataDisk(this.paths.dataDisk, this.res.diskGiB);
    const shares = this.res.shares ?? [];
    writeMountList(this.paths.mountList, shares, guestMount(this.shareOptions, this.transport.kind), this.res.hidden, this.res.synced);
    if (this.res.engineConfig) writeFileSync(this.paths.daemonJson, `${JSON.stringify(this.res.engineConfig, null, 2)}\n`, { mode: 0o600 });
    rmSync(this.paths.qmpSocket, { force: true });
    for (const s of [this.paths.controlSocket, this.paths.ownSocket, this.paths.syncSockets.commands, this.paths.syncSockets.changes]) rmSync(s, { force: true });
    this.emit('console', `[berth] shares: ${describeShareOptions(this.shareOptions, this.transport.kind)}`);
    if (this.transport.kind === 'virtiofs' && this.virtiofsSockets) {
      this.daemons = await VirtiofsDaemons.start(this.transport.virtiofsd, shares, this.virtiofsSockets, { diesWithParent: this.host.childDiesWithParent, onLine: (l) => this.emit('console', l) });
    }
    // Where QEMU cannot be tied to the agent's life (macOS), the next agent reaps an orphan (stale-qemu.ts).
    const q = new QemuProcess(this.command, { diesWithParent: this.host.childDiesWithParent });
    this.qemu = q;
    q.once('spawn-error', () => this.daemons?.stop());
    q.on('line', (l: string) => this.emit('console', l));
    q.on('stderr', (l: string) => this.emit('console', `[qemu] ${l}`));
    q.on('marker', (m: BootMarker) => this.emit('marker', m));
    q.on('exit', (e: QemuExit) => {
      // The pid file names a process that no longer exists.
      rmSync(this.paths.pidFile, { force: true });
      this.daemons?.stop();
      this.emit('exit', e);
    });
    const spawnError = new Promise<never>((_, reject) => q.once('spawn-error', reject));
    this.qmp = await Promise.race([this.connectQmp(), spawnError]);
    this.forwards = qmpForwarder(this.qmp);
    this.balloon = new BalloonStatsReader(this.qmp);
    q.once('exit', () => this.balloon?.stop());
    this.machineType = this.resume?.machineType ?? (await resolvedMachineType(this.qmp, profileFor(this.host.arch).machine));
    // Connected before the guest runs on after a resume, so the port is open on both ends when it does.
    this.control = await Promise.race([GuestControl.connect(this.paths.controlSocket), spawnError]);
    this.own = await Promise.race([OwnChanges.connect(this.paths.ownSocket), spawnError]);
    this.daemons?.guardFds(this.own, (l) => this.emit('console', l));
    q.once('exit', () => {
      this.control?.close();
      this.own?.close();
    });
  }

  /**
   * Lets a resumed machine run on and brings the guest up to date: its shares
   * mounted again, and its clock (as old as the snapshot) set from the host's.
   */
  async wake(): Promise<void> {
    if (!this.qmp || !this.control) throw new Error('VM not started');
    const t0 = Date.now();
    const took = (what: string) => () => this.emit('console', `[berth] wake: ${what} after ${Date.now() - t0} ms`);
    await loadDone(this.qmp, 60_000).then(took('state loaded'));
    await this.qmp.execute('cont');
    await Promise.all([this.control.send('mount', 30_000).then(took('shares mounted')), this.setClock().then(took('clock set'))]);
  }

  /** sync.sh's two ports, connected afresh (each attach of the synchronized folders). */
  openSync(): Promise<SyncPorts> {
    return connectSyncPorts(this.paths.syncSockets);
  }

  /** Live changes go over the guest's control port, and its containers' own changes come on their own port, once both are connected. */
  get shareEvents(): ShareEvents | undefined {
    const { control, own } = this;
    return control && own && { ...control.shareEvents, own: (path, since) => own.has(path, since), settle: () => own.settle(() => control.mark(3000), 3000), writing: () => own.writing() };
  }

  /**
   * Sets the guest's clock from the host's: after a resume, and after the host
   * itself slept (the guest's clock stood still meanwhile). The exact second
   * follows on its boundary, after the engine is already serving.
   */
  async setClock(): Promise<void> {
    const control = this.control;
    if (!control) throw new Error('VM not started');
    await control.setClock(10_000);
    void control.setClock(10_000, true).catch((e: Error) => this.emit('console', `[berth] clock: ${e.message}`));
  }

  /**
   * Sleep: the guest syncs and unmounts its shares (QEMU cannot save while a
   * 9p export is mounted), QEMU saves the paused machine's state to a file
   * and exits. Where any step fails the machine is left running as it was,
   * shares mounted, and the error is thrown.
   */
  async suspend(timeoutMs: number): Promise<void> {
    const { qmp, control, qemu } = this;
    if (!qmp || !control || !qemu?.running) throw new Error('VM not running');
    if (this.transport.kind === 'virtiofs') throw new Error('QEMU cannot save a machine whose shares are served over virtio-fs: vhost-user-fs does not migrate');
    const remount = () => control.send('mount', 30_000).catch(() => undefined);
    try {
      await control.send('suspend', 30_000);
    } catch (e) {
      await remount();
      throw e;
    }
    try {
      await saveState(qmp, { file: this.paths.savedState, compressor: this.host.stateCompressor }, timeoutMs);
    } catch (e) {
      await qmp.execute('cont').catch(() => undefined);
      await remount();
      throw e;
    }
    // The saved state stays valid however QEMU ends now: the paused guest writes nothing more.
    await qmp.execute('quit').catch(() => undefined);
    if (!(await qemu.waitFor(10_000))) await this.kill(2000);
  }

  private async connectQmp(): Promise<QmpClient> {
    // QEMU creates the socket while it sets the machine up; give it a few seconds.
    let last: unknown;
    for (let i = 0; i < 100 && this.qemu?.running; i++) {
      try {
        return await QmpClient.connect(this.paths.qmpSocket, 2000);
      } catch (e) {
        last = e;
        await sleep(50);
      }
    }
    throw new Error(`QMP did not answer: ${(last as Error)?.message ?? 'QEMU exited'}`);
  }

  /** Resolves when the guest said `ready` and the engine answered over mutual TLS. */
  async waitEngine(timeoutMs: number): Promise<void> {
    const q = this.qemu;
    if (!q) throw new Error('VM not started');
    const deadline = Date.now() + timeoutMs;
    await q.waitForMarker((m) => m.kind === 'stage' && m.stage === 'ready', timeoutMs);
    while (true) {
      try {
        await this.pingEngine();
        return;
      } catch (e) {
        if (!q.running) throw new Error('QEMU exited before the engine answered');
        if (Date.now() > deadline) throw new Error(`engine did not answer over TLS: ${(e as Error).message}`);
        await sleep(100);
      }
    }
  }

  /** The guest's own memory figures, from the balloon's statistics. */
  guestMemory(): Promise<GuestMemory | undefined> {
    return this.balloon?.read() ?? Promise.resolve(undefined);
  }

  /** One mutual-TLS `/_ping` to the engine through the forwarded port. */
  pingEngine(timeoutMs = 3000): Promise<void> {
    this.creds ??= loadClientCreds(this.tls);
    return pingEngineTls(this.enginePort, this.creds, timeoutMs);
  }

  /**
   * Presses the ACPI power button and waits for QEMU to exit by itself.
   * Returns false if it is still running after `timeoutMs`.
   */
  async powerdown(timeoutMs: number): Promise<boolean> {
    const q = this.qemu;
    if (!q?.running) return true;
    await this.qmp?.execute('system_powerdown').catch(() => undefined);
    return (await q.waitFor(timeoutMs)) !== undefined;
  }

  /** SIGTERM, then SIGKILL if QEMU is still there after `graceMs`. */
  async kill(graceMs = 5000): Promise<void> {
    const q = this.qemu;
    if (!q?.running) return;
    q.kill('SIGTERM');
    if (!(await q.waitFor(graceMs))) {
      q.kill('SIGKILL');
      await q.wait();
    }
  }
}
