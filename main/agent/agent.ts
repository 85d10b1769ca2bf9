import { EventEmitter } from 'node:events';
import { homedir } from 'node:os';
import { rmSync } from 'node:fs';
import { engineClock, engineOverTls, engineVersions, stopAllContainers } from '../engine/docker-client';
import { writeDockerContext } from '../engine/docker-context';
import { SocketProxy } from '../engine/socket-proxy';
import { busyReason, IdleSleep } from './idle-sleep';
import { NotRunningError } from './not-running';
import { EngineFollower } from './engine-follower';
import { loadClientCreds } from '../link/tls-ping';
import { SettingsStore, type LoadedSettings } from '../settings/settings-store';
import { exportDockerHost } from '../common/shell-quote';
import type { Machine, MachineDriver } from '../vm/machine-driver';
import { vmSharedFolders, type SharedFolder } from '../vm/shared-folders';
import { DEFAULT_SHARE_OPTIONS, type ShareOptions } from '../vm/share-options';
import { bootResources } from './boot-resources';
import { LiveChanges } from '../vm/live-changes';
import { MountPolicy } from '../engine/mount-policy';
import { VmSupervisor, type SupervisorOptions } from '../vm/supervisor';
import type { Logger } from '../common/logger';
import { VmUsageSampler, type VmUsage } from '../vm/vm-usage';
import { bootedWith, changedSince, type AgentStatus, type BootedWith, type SettingsView } from './control-api';
import { agentDriver, type AgentDriverOptions } from './agent-driver';
import type { VmEvent } from '../vm/vm-events';
import type { AgentLogs } from './logger';
import type { BerthPaths } from './paths';
import { isUp } from '../vm/vm-state';
import { currentHost, type HostFacts } from '../vm/host-facts';
import { hostLimits, type Settings } from '../settings/settings-schema';
import { ClockWatch } from './clock-watch';
import { socketPathProblem } from './socket-paths';
import { hostSocketCheck } from './host-socket-check';
import { SyncSet } from '../sync/sync-set';

/**
 * The agent's behaviour, transport-free: owns settings, the VM supervisor and
 * the Docker socket proxy, and emits the VM's events ('event'). The control server is a thin
 * HTTP layer over it.
 */
export class BerthAgent extends EventEmitter {
  private readonly settingsStore: SettingsStore;
  readonly supervisor: VmSupervisor;
  /** How the VM runs; the owner of its files under paths.vm (the data disk, TLS material, QMP). */
  private readonly driver: MachineDriver;
  private readonly loaded: LoadedSettings;
  /** The settings, held here: the agent is their one owner, and the file changes only through it. */
  private current: Settings;
  /** What the running (or last) VM was booted with. */
  private booted?: BootedWith;
  private proxy?: SocketProxy;
  private readonly engine: EngineFollower;
  /** What the running VM was booted with; status reports these, not a fresh guess. */
  private shares: SharedFolder[] = [];
  private readonly usage = new VmUsageSampler();
  private readonly idle: IdleSleep;
  /** The host's facts (the real host, or the simulated Mac of the tests), read once by the entry point. */
  readonly facts: HostFacts;
  private readonly clock: ClockWatch;
  private readonly shareOptions: ShareOptions;
  /** Synchronized folders (main/sync/): which ones this boot has, and their copies kept in step. */
  readonly sync: SyncSet;

  constructor(
    readonly paths: BerthPaths,
    private readonly logs: AgentLogs,
    opts: AgentDriverOptions = {},
  ) {
    super();
    this.facts = opts.facts ?? currentHost();
    this.shareOptions = opts.shareOptions ?? DEFAULT_SHARE_OPTIONS;
    const log = logs.agent;
    this.settingsStore = new SettingsStore(paths.settings, { ...hostLimits(), cpus: this.facts.cpus });
    this.loaded = this.settingsStore.load();
    this.current = this.loaded.settings;
    const r = this.loaded.recovered;
    if (r) log.warn(`settings: ${paths.settings} was unreadable (${r.reason}); moved to ${r.backup}, using defaults`);
    this.sync = new SyncSet({ journalDir: paths.sync, log, changed: (folders) => this.emit('event', { event: 'sync.changed', payload: { folders } }) });
    const live = new LiveChanges({ shares: () => this.shares, target: () => this.supervisor.instance?.shareEvents, log, skip: () => this.sync.paths() });
    this.engine = new EngineFollower(log, (e) => this.emit('event', e), live);
    this.driver = agentDriver(paths, () => this.settings, log, { ...opts, facts: this.facts });
    this.clock = new ClockWatch({ resync: async () => this.supervisor.instance?.setClock?.(), active: () => this.supervisor.state === 'running', log });
    this.supervisor = new VmSupervisor(this.supervisorOptions(log));
    this.idle = this.idleSleep();
    this.supervisor.on('console', (l: string) => logs.vm.info(l));
    this.supervisor.on('vm-event', (e: VmEvent) => this.onVmEvent(e));
  }

  /** What the supervisor asks of the agent: the resources of each boot, the socket once the engine answers, the host socket's check. */
  private supervisorOptions(log: Logger): SupervisorOptions {
    return {
      log,
      driver: this.driver,
      resources: () => {
        const s = this.settings;
        this.booted = bootedWith(s);
        this.shares = vmSharedFolders(homedir(), s.sharedPaths, (p) => log.warn(`shares: ${p} does not exist or is not a folder; not shared`));
        return { ...bootResources(s, this.shares, this.shareOptions, this.paths.home), synced: this.sync.configure(s.syncedPaths, this.paths.home) };
      },
      onEngine: async (vm) => {
        const creds = loadClientCreds(vm.tls);
        await this.exposeSocket(vm.enginePort, creds);
        if (vm.forwards) this.engine.follow(engineOverTls(vm.enginePort, creds), vm.forwards);
        else log.warn('ports: this machine cannot forward ports; published ports are not reachable from the host');
      },
      extraChecks: () => [hostSocketCheck(this.socketPath, () => this.proxy)],
      beforeStop: async (vm) => {
        const n = await stopAllContainers(engineOverTls(vm.enginePort, loadClientCreds(vm.tls)), 2);
        log.info(`vm: stopped ${n} running container(s)`);
      },
    };
  }

  /** The VM's events go out as they are (the agent adds no vocabulary of its own), and its state steers the watches and the socket. */
  private onVmEvent(e: VmEvent): void {
    this.emit('event', e);
    if (e.event !== 'vm.state') return;
    const { state } = e.payload;
    for (const watch of [this.idle, this.clock]) {
      if (state === 'running') watch.start();
      else watch.stop();
    }
    if (!isUp(state)) this.engine.unfollow();
    this.sync.follow(state === 'running' ? this.supervisor.instance : undefined);
    // Asleep, the socket stays open: the next client waits for the wake (see SocketProxy.setWaker).
    if (state === 'suspending') this.proxy?.setTarget(undefined);
    if (state === 'stopped' || state === 'error') {
      void this.closeSocket();
      this.usage.forget();
    }
  }

  get settings(): Settings {
    return this.current;
  }

  /** The settings with what the agent knows about them. */
  settingsView(): SettingsView {
    return { settings: this.current, recovered: this.loaded.recovered, pendingRestart: this.pendingRestart() };
  }

  /** Settings that differ from what the running VM was booted with. */
  private pendingRestart(): (keyof BootedWith)[] {
    return this.supervisor.instance && this.booted ? changedSince(this.booted, this.current) : [];
  }

  /** The Docker socket: the one listening now, else the one the next boot opens. */
  get socketPath(): string {
    return this.proxy?.path ?? (this.current.socketPath || this.paths.dockerSocket);
  }

  /** Opens (or re-points) the Docker socket and writes the `berth` Docker context. */
  private async exposeSocket(port: number, creds: ReturnType<typeof loadClientCreds>): Promise<void> {
    // What this boot was given, not what the settings say since: a change waits for the next restart.
    const path = this.booted?.socketPath || this.paths.dockerSocket;
    if (!this.proxy || this.proxy.path !== path) {
      await this.proxy?.close();
      this.proxy = new SocketProxy(path);
      this.proxy.on('proxy-error', (e: Error) => this.logs.agent.warn(`socket: ${e.message}`));
      this.proxy.on('mount-denied', (reason: string) => this.logs.agent.info(`socket: refused a container: ${reason}`));
      await this.proxy.listen();
    }
    this.proxy.setTarget({ port, creds });
    this.proxy.setWaker(() => this.wakeForClient());
    this.proxy.setMountPolicy(
      new MountPolicy([...this.shares.map((f) => f.guestPath ?? f.hostPath), ...this.sync.paths()], this.booted?.sharedPaths ?? [], { notReady: (p) => this.sync.notReady(p) }),
    );
    try {
      writeDockerContext(path);
    } catch (e) {
      this.logs.agent.warn(`could not write the berth docker context: ${(e as Error).message}`);
    }
  }

  private async closeSocket(): Promise<void> {
    const p = this.proxy;
    this.proxy = undefined;
    await p?.close();
  }

  start(): Promise<void> {
    return this.supervisor.start();
  }

  stop(): Promise<void> {
    return this.supervisor.stop();
  }

  restart(): Promise<void> {
    return this.supervisor.restart();
  }

  /** "Try hardware acceleration again": forgets the remembered failure; a VM that is up, asleep or failed boots afresh. */
  async retryHardwareAccel(): Promise<void> {
    this.driver.forgetAccelVerdict?.();
    const s = this.supervisor.state;
    if (isUp(s) || s === 'sleeping' || s === 'error') await this.restart();
  }

  /** Why a socket Berth makes would not fit the platform's unix socket path limit, if one would not. */
  socketPathProblem(): string | undefined {
    const all = [this.paths.controlSocket, this.socketPath, ...(this.driver.socketPaths?.() ?? [])];
    return socketPathProblem(all, this.facts.socketPathMax, this.facts.platform);
  }

  /** Puts the VM to sleep now (the idle watch does this by itself after idleSleepMinutes). */
  sleep(): Promise<void> {
    return this.supervisor.sleep();
  }

  /** What a docker client that connects while the VM sleeps waits for. */
  private wakeForClient(): Promise<void> {
    const s = this.supervisor.state;
    if (isUp(s)) return Promise.resolve();
    if (s === 'sleeping' || s === 'suspending' || s === 'starting') return this.supervisor.start();
    return Promise.reject(new Error(`the VM is ${s}`));
  }

  /** Sleep when idle: no running containers and no docker client for idleSleepMinutes. */
  private idleSleep(): IdleSleep {
    return new IdleSleep({
      enabled: () => this.current.idleSleep && this.driver.capabilities().snapshots,
      idleMs: () => this.current.idleSleepMinutes * 60_000,
      awake: () => this.supervisor.state === 'running',
      busy: () => busyReason(this.proxy?.connections ?? 0, () => this.engine.busyContainers()),
      lastClientActivity: () => this.proxy?.lastClientActivity ?? 0,
      sleep: () => this.sleep(),
      log: this.logs.agent,
    });
  }

  /** One sample of the running VM's CPU and memory, or an error when it is not running. */
  async vmUsage(): Promise<VmUsage> {
    const inst = this.supervisor.instance;
    if (!inst?.pid || this.supervisor.state === 'starting') throw new NotRunningError();
    return this.usage.sample({ pid: inst.pid, cpus: inst.res.cpus, memoryMiB: inst.res.memoryMiB, guestMemory: inst.guestMemory && (() => inst.guestMemory!()), dataDisk: inst.dataDisk });
  }

  /** What the data disk occupies on the host, or undefined before the first boot. */
  diskBytes(): number | undefined {
    return this.driver.diskBytes();
  }

  /** Live status, with the engine's version asked for at the moment. */
  async status(): Promise<AgentStatus> {
    const settings = this.settings;
    const socketPath = this.socketPath;
    const vm = await this.supervisor.status();
    const inst = this.supervisor.instance;
    const { engineVersion, apiVersion } = inst && vm.state !== 'starting' ? await engineVersions(this.engineOf(inst)) : {};
    return {
      ...vm,
      agentPid: process.pid,
      socketPath,
      dockerHost: `unix://${socketPath}`,
      dockerHostExport: exportDockerHost(`unix://${socketPath}`),
      engineVersion,
      apiVersion,
      settings,
      settingsRecovered: this.loaded.recovered,
      booted: inst ? this.booted : undefined,
      pendingRestart: this.pendingRestart(),
      sharedPaths: inst ? [...new Set(this.shares.map((f) => f.hostPath))] : [],
      sync: this.sync.status(),
      ports: this.engine.active(),
      portConflicts: this.engine.conflicts(),
    };
  }

  /** The guest's clock against the host's, for the Troubleshoot page. */
  async guestClock(): Promise<{ guest: string; host: string; skewMs: number }> {
    const inst = this.supervisor.instance;
    if (!inst || !isUp(this.supervisor.state)) throw new NotRunningError();
    return engineClock(this.engineOf(inst));
  }

  private engineOf(m: Machine) {
    return engineOverTls(m.enginePort, loadClientCreds(m.tls));
  }

  /** Validates and stores a settings change; VM resources apply at the next start. */
  updateSettings(patch: Partial<Record<keyof Settings, unknown>>): SettingsView {
    this.current = this.settingsStore.apply(this.current, patch);
    return this.settingsView();
  }

  /** Stops the VM, then deletes its data disk and certificates. Settings are kept. */
  async reset(): Promise<void> {
    await this.stop();
    rmSync(this.paths.vm, { recursive: true, force: true });
    this.logs.agent.warn('reset: deleted the data disk and TLS material');
  }

  /** Stops the VM and closes the socket, for agent exit. */
  async shutdown(): Promise<void> {
    await this.stop().catch(() => undefined);
    this.sync.close();
    await this.closeSocket();
  }
}
