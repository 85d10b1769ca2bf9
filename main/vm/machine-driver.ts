import type { EventEmitter } from 'node:events';
import type { Duplex, Readable } from 'node:stream';
import type { Logger } from '../common/logger';
import type { TlsPaths } from '../link/tls-material';
import type { Accelerator, MachineHost } from './accel';
import type { BootFailureKind } from './boot-failure';
import type { VmResources } from './resources';
import type { GuestMemory } from './vm-usage';

/** How a machine's process ended. */
export interface MachineExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Opens and closes a host port on 127.0.0.1 that reaches the same port in the guest. */
export interface HostForwards {
  add(proto: 'tcp' | 'udp', port: number): Promise<void>;
  remove(proto: 'tcp' | 'udp', port: number): Promise<void>;
}

/** A boot attempt's watch, as the supervisor may end it (a stop during a start). */
export interface BootCancel {
  cancel(kind: BootFailureKind, detail: string): void;
}

/**
 * One booted machine, as the supervisor and the agent see it, whatever runs
 * it. It emits 'console' (a line), 'marker' (a boot marker) and 'exit' (once).
 */
export interface Machine extends EventEmitter {
  /** The accelerator it runs on, and why. */
  readonly host: MachineHost;
  /** The versioned machine type it runs, where the driver knows it (a saved state is tied to it). */
  readonly machineType?: string;
  readonly res: VmResources;
  /** The host port on 127.0.0.1 that reaches the engine's TLS port. */
  readonly enginePort: number;
  readonly tls: TlsPaths;
  /** The data disk on the host. */
  readonly dataDisk: string;
  readonly pid: number | undefined;
  readonly running: boolean;
  /** Host ports forwarded into the guest at run time, where the driver can. */
  readonly forwards?: HostForwards;
  /** The guest's own memory figures, where the driver can read them. */
  guestMemory?(): Promise<GuestMemory | undefined>;
  /** Resolves when the machine's process has exited. */
  exited(): Promise<MachineExit>;
  /** The hypervisor's own view of the vCPUs: 'running', 'paused', 'internal-error', … */
  runState(timeoutMs: number): Promise<string>;
  /** One mutual-TLS ping of the engine. */
  pingEngine(timeoutMs?: number): Promise<void>;
  /** The ACPI power button; false if the machine is still up after `timeoutMs`. */
  powerdown(timeoutMs: number): Promise<boolean>;
  /** Ends the machine's process (TERM, then KILL after `graceMs`). */
  kill(graceMs?: number): Promise<void>;
  /** Sets the guest's clock from the host's (after the host slept); absent where the driver cannot. */
  setClock?(): Promise<void>;
  /** Saves the machine and ends its process; where it cannot, throws and leaves it running. Absent where the driver has no snapshots. */
  suspend?(timeoutMs: number): Promise<void>;
  /** The guest's synchronized-folder ports (sync.sh), connected afresh; absent where the driver has none. */
  openSync?(): Promise<SyncPorts>;
  /** Host changes in shared folders, raised as inotify events in the guest; absent where the driver cannot. */
  readonly shareEvents?: ShareEvents;
}

/** sync.sh's two ports: commands and their answers, and the copies' changes (main/link/sync-protocol.ts). */
export interface SyncPorts {
  commands: Duplex;
  changes: Readable;
}

/** The guest's half of live changes (live-changes.ts); every path is as the guest names it. */
export interface ShareEvents {
  /** The folders containers bind-mount now: the guest notes its containers' own writes there, so they are not echoed back. */
  watch(paths: readonly string[]): Promise<void>;
  /**
   * Paths the host changed: the guest raises an event on each (a file, or a folder whose names
   * changed). `forget`: some names are gone, so the guest drops the names it has cached.
   */
  changed(paths: readonly string[], forget: boolean): Promise<void>;
  /**
   * True when the guest's containers changed this path (or a folder above it) themselves, shortly
   * before `since` (ms since the epoch) or after: the host's change is their own coming back.
   */
  own(path: string, since: number): boolean;
  /** Resolves once every change the guest's containers made before the call is known to `own`. */
  settle(): Promise<void>;
  /** True while the containers write in bulk, so the record of their changes trails the host's view by a moment. */
  writing(): boolean;
}

/** What a boot needs from the supervisor. */
export interface MachineStartRequest {
  res: VmResources;
  enginePort: number;
  log: Logger;
  /** Resolves once the machine is usable (the readiness checks); the driver bounds it by boot stage. */
  ready(m: Machine): Promise<void>;
  /** Each attempt's machine and watchdog, before it starts: to follow its console, or cancel it. */
  onAttempt?(m: Machine, watch: BootCancel): void;
  /** One line for the person waiting (e.g. the accelerator fell back). */
  onNotice?(message: string): void;
  /** Resume the machine `suspend` saved, if there is one; `res` and `enginePort` must then be what it was booted with. */
  wake?: boolean;
}

/** What a driver's machines can do; the agent and the UI ask instead of assuming. */
export interface MachineCapabilities {
  /** The guest architecture. */
  arch: 'x86_64' | 'aarch64';
  /** Accelerators this driver can use on this host platform, best first. */
  accelerators: Accelerator[];
  /** Host ports on 127.0.0.1 can be opened to the guest at run time. */
  portForwarding: boolean;
  /** How host folders reach the guest. */
  sharedFolders: '9p' | 'none';
  /** The machine's state can be saved and resumed (sleep). */
  snapshots: boolean;
}

/**
 * How Berth runs a machine, Lima-driver style. The supervisor owns the
 * lifecycle (states, readiness, health, restarts); a driver owns everything
 * specific to one way of running a guest: its binaries, disk, arguments,
 * accelerator and the processes it starts.
 */
export interface MachineDriver {
  readonly name: string;
  capabilities(): MachineCapabilities;
  /** Rejects with an error that says what is missing on the host and how to get it (QEMU's binaries). */
  validate(): Promise<unknown>;
  /** Creates the persistent data disk if there is none; an existing one is never touched. */
  createDisk(sizeGiB: number): { created: boolean };
  /** What the data disk occupies on the host, or undefined before the first boot. */
  diskBytes(): number | undefined;
  /** The unix sockets the driver makes, for the agent's path-length check. */
  socketPaths?(): string[];
  /** Stops a machine a previous agent left behind, if there is one. */
  reapStale(log: Logger): Promise<void>;
  /**
   * Boots a machine (or, with `wake`, resumes the one `suspend` saved); resolves with it once
   * `ready` passed, rejects with a BootFailure or a preflight error (e.g. no guest image).
   * A boot that is not a resume first deletes every saved state: the disk is about to change under it.
   */
  start(req: MachineStartRequest): Promise<Machine>;
  /** Saves a running machine so `start({ wake: true })` can resume it; throws, leaving it running, where it cannot. */
  suspend?(m: Machine, log: Logger): Promise<void>;
  /** "Try hardware acceleration again": forgets a remembered failure, so the next boot asks the host afresh. */
  forgetAccelVerdict?(): void;
  /** Deletes a saved machine (a stop while asleep): the next start boots afresh. */
  discardSaved?(log: Logger): void;
}
