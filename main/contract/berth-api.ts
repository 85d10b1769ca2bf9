/**
 * The one contract between Berth's UI and main: every call the renderer can
 * make, its argument schema (checked in main before anything runs), and its
 * result type; and every event main pushes. Main, preload and renderer all
 * derive their types from this file. It imports nothing from Electron.
 */
import type { SyncFolderStatus } from '../sync/sync-state';

export type { SyncFolderStatus };
import { z } from 'zod';
import { type CALL_NAME_LIST, CALL_PREFIX, EVENT_CHANNEL } from './call-names';
import type { AgentStatus } from '../agent/control-api';
import type { ContainerStats } from '../engine/container-stats';
import type { RunResult, RunSpec } from '../engine/container-run';
import type { LayerProgress, PullProgress } from '../engine/image-pull';
import type { EngineEntry } from '../engine/context-probe';
import type { Settings } from '../settings/settings-schema';
import type { VmEvents } from '../vm/vm-events';
import type { VmUsage } from '../vm/vm-usage';
import type { LogChunk } from './log-followers';
import type { WatchLease } from './stats-hub';
import type { TerminalOutput } from './terminals';

export type { AgentStatus, ContainerStats, EngineEntry, LayerProgress, LogChunk, PullProgress, RunResult, RunSpec, Settings, TerminalOutput, VmUsage, WatchLease };

/**
 * Ids and names exactly as Docker allows them, and nothing else: each ends up
 * in an engine API path, so a `/` or `..` that Docker would never produce must
 * not get through (`x/../../y` would address another endpoint).
 */
/** Container and volume names (Docker's [a-zA-Z0-9][a-zA-Z0-9_.-]+) and hex ids: no slash. */
const objectRef = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'not a valid Docker container or volume id or name');
const IMAGE_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const IMAGE_DOMAIN = '(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*(?::[0-9]+)?/)?';
const IMAGE_REFERENCE = new RegExp(`^(?:(?:sha256:)?[0-9a-f]{12,64}|${IMAGE_DOMAIN}${IMAGE_COMPONENT}(?:/${IMAGE_COMPONENT})*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[0-9a-f]{64})?)$`);
/** Image ids (sha256:…) and references (registry/name:tag@digest) by Docker's reference grammar. */
const imageRef = z.string().min(1).max(512).regex(IMAGE_REFERENCE, 'not a valid Docker image id or reference');
const lines = z.number().int().min(1).max(10_000);
/** What a page's stats come from: every running container, or the VM itself. */
const statsTopic = z.enum(['containers', 'vm']);
/** A page's own random id, so one page closing does not stop another's stats. */
const watcherId = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'not a watcher id');
/** A terminal's size in character cells. */
const cols = z.number().int().min(2).max(1000);
const rows = z.number().int().min(1).max(500);
/** A Docker context's name, as `docker context create` allows it. */
const contextName = z
  .string()
  .max(256)
  .regex(/^[a-zA-Z0-9][a-zA-Z0-9_.+-]*$/, 'not a valid Docker context name');
/** A container path, or a host path: absolute, and without the `:` that separates `-v`'s parts. */
const mountPath = z
  .string()
  .max(4096)
  .regex(/^\/[^:]*$/, 'is not an absolute path without ":"');
/** The run dialog: `docker run -d` with a name, ports on 127.0.0.1, environment, `-v` mounts, a command and `--rm`. */
const runSpec = z
  .object({
    image: imageRef,
    name: z.union([z.literal(''), objectRef]).optional(),
    ports: z.array(z.object({ host: z.number().int().min(0).max(65_535), container: z.number().int().min(1).max(65_535), proto: z.enum(['tcp', 'udp']) }).strict()).max(64),
    env: z
      .array(
        z
          .string()
          .max(32_768)
          .regex(/^[^=\s]+=/, 'is not a KEY=value line'),
      )
      .max(256),
    mounts: z.array(z.object({ source: z.union([mountPath, objectRef]), target: mountPath, readOnly: z.boolean() }).strict()).max(64),
    command: z.string().max(65_536).optional(),
    remove: z.boolean(),
  })
  .strict() satisfies z.ZodType<RunSpec>;

/** Argument schemas, one tuple per call. */
export const CALLS = {
  'vm.status': z.tuple([]),
  'vm.start': z.tuple([]),
  'vm.stop': z.tuple([]),
  'vm.restart': z.tuple([]),
  'vm.reset': z.tuple([z.literal('delete-all-data')]),
  'vm.retryAccel': z.tuple([]),
  'vm.clock': z.tuple([]),
  /** Goes on with a paused synchronized folder (a held mass delete is applied), or checks one whole again. */
  'sync.resume': z.tuple([z.string().min(1).max(4096).startsWith('/')]),
  'containers.list': z.tuple([]),
  'containers.action': z.tuple([objectRef, z.enum(['start', 'stop', 'restart', 'pause', 'unpause', 'remove'])]),
  'containers.inspect': z.tuple([objectRef]),
  'containers.logs': z.tuple([objectRef, lines]),
  /** The last `lines` lines, then live; with the engine's RFC 3339 timestamps when the last argument is true. */
  'containers.followLogs': z.tuple([objectRef, watcherId, lines, z.boolean()]),
  'containers.unfollowLogs': z.tuple([watcherId]),
  /** Opens a shell in a running container on a TTY, under the page's own id for it (or renews its lease). */
  'terminal.open': z.tuple([objectRef, watcherId, cols, rows]),
  'terminal.input': z.tuple([watcherId, z.string().max(65_536)]),
  'terminal.resize': z.tuple([watcherId, cols, rows]),
  'terminal.close': z.tuple([watcherId]),
  /** `docker run -d`; an image the engine lacks is pulled first, its progress under the page's id. */
  'containers.run': z.tuple([runSpec, watcherId]),
  /** Docker's contexts besides Berth's own, with their last known reachability, and which one the dashboard shows. */
  'engines.list': z.tuple([]),
  /** Shows another context's engine in the dashboard, or Berth's own VM with null. */
  'engines.select': z.tuple([contextName.nullable()]),
  /** `docker context use <name>`: only on the user's explicit choice. */
  'engines.useForShell': z.tuple([contextName]),
  'images.list': z.tuple([]),
  /** `docker pull`, with per-layer progress as 'images.pullProgress' under the page's id; resolves when the pull is done. */
  'images.pull': z.tuple([imageRef, watcherId]),
  'images.remove': z.tuple([imageRef]),
  'images.prune': z.tuple([]),
  'volumes.list': z.tuple([]),
  'volumes.remove': z.tuple([objectRef]),
  'volumes.prune': z.tuple([]),
  'system.df': z.tuple([]),
  'system.reclaim': z.tuple([z.object({ volumes: z.boolean() }).strict()]),
  'stats.watch': z.tuple([statsTopic, watcherId]),
  'stats.unwatch': z.tuple([statsTopic, watcherId]),
  'settings.get': z.tuple([]),
  'settings.update': z.tuple([z.record(z.string(), z.unknown())]),
  'loginItem.get': z.tuple([]),
  'loginItem.set': z.tuple([z.boolean()]),
  'loginItem.openSettings': z.tuple([]),
  'logs.tail': z.tuple([z.enum(['agent', 'vm']), lines]),
  'app.openExternal': z.tuple([z.string().max(2048)]),
} as const;

export type CallName = keyof typeof CALLS;
export type StatsTopic = z.infer<typeof statsTopic>;
export type CallArgs<K extends CallName> = z.infer<(typeof CALLS)[K]>;

/** A container row as the UI shows it. */
export interface ContainerSummary {
  id: string;
  name: string;
  image: string;
  state: string;
  status: string;
  created: number;
  /** When a running container last started (ms since the epoch), so the UI can show a live uptime. */
  startedAt?: number;
  ports: { host: number; container: number; proto: string }[];
  composeProject?: string;
}

export interface ImageSummary {
  id: string;
  tags: string[];
  size: number;
  created: number;
  usedBy: string[];
}

export interface VolumeSummary {
  name: string;
  size?: number;
  usedBy: string[];
}

/** What "Reclaim space" removed, and what the data disk occupies on the host before and after. */
export interface ReclaimResult {
  /** Bytes the engine says it freed. */
  reclaimedBytes: number;
  removed: { containers: number; images: number; volumes: number; networks: number; buildCache: number };
  /** The qcow2's allocated bytes on the host; the guest's discards shrink it. */
  diskBefore?: number;
  diskAfter?: number;
}

/** Start at login, as the system sees it. */
export interface LoginItemState {
  enabled: boolean;
  /** macOS 13+: registered, but waiting for the person to allow it in System Settings › Login Items. */
  needsApproval: boolean;
}

/** The guest's clock against the host's: a guest that lags breaks TLS and apt. */
export interface GuestClock {
  guest: string;
  host: string;
  skewMs: number;
}

/** Result types, one per call. */
export interface CallResults {
  'vm.status': AgentStatus;
  'vm.start': AgentStatus;
  'vm.stop': AgentStatus;
  'vm.restart': AgentStatus;
  'vm.reset': null;
  /** "Try hardware acceleration again": forgets a remembered failure and restarts a VM that is up. */
  'vm.retryAccel': AgentStatus;
  /** The guest's clock against the host's, while the VM runs. */
  'vm.clock': GuestClock;
  'sync.resume': SyncFolderStatus[];
  'containers.list': ContainerSummary[];
  'containers.action': null;
  'containers.inspect': Record<string, unknown>;
  'containers.logs': string;
  'containers.followLogs': WatchLease;
  'containers.unfollowLogs': null;
  'terminal.open': WatchLease;
  'terminal.input': null;
  'terminal.resize': null;
  'terminal.close': null;
  'containers.run': RunResult;
  'engines.list': { selected: string | null; engines: EngineEntry[] };
  'engines.select': { selected: string | null };
  'engines.useForShell': null;
  'images.list': ImageSummary[];
  'images.pull': PullProgress;
  'images.remove': null;
  'images.prune': { reclaimed: number };
  'volumes.list': VolumeSummary[];
  'volumes.remove': null;
  'volumes.prune': { reclaimed: number };
  'system.df': { images: number; containers: number; volumes: number; buildCache: number };
  'system.reclaim': ReclaimResult;
  'stats.watch': WatchLease;
  'stats.unwatch': null;
  'settings.get': Settings;
  'settings.update': Settings;
  'loginItem.get': LoginItemState;
  'loginItem.set': LoginItemState;
  /** Opens System Settings at Login Items (macOS), where a login item waiting for approval is allowed. */
  'loginItem.openSettings': null;
  'logs.tail': string;
  'app.openExternal': null;
}

/** Every reply: never a thrown error across the boundary. */
export type Reply<T> = { ok: true; value: T } | { ok: false; error: { code: string; message: string } };

/** Events main pushes to the UI. */
export interface BerthEvents extends Pick<VmEvents, 'vm.state' | 'vm.bootStage'> {
  /** Something in the engine changed (a container event): lists are stale. */
  'engine.changed': { kind: string };
  /** Log text for the page whose watcher id asked for it with containers.followLogs. */
  'containers.log': LogChunk;
  /** A terminal's output, for the page whose id opened it. */
  'terminal.output': TerminalOutput;
  /** A context appeared, went, or changed state (reachable or not, its containers). */
  'engines.changed': Record<string, never>;
  /** The dashboard now shows another engine (null: Berth's own VM). */
  'engine.selected': { selected: string | null };
  /** Where a pull stands, for the page whose id started it (a pull, or a run that pulls). */
  'images.pullProgress': PullProgress & { watcher: string; ref: string };
  /** Streams only while some page watches 'containers'. */
  'stats.containers': { at: number; containers: ContainerStats[] };
  /** Streams only while some page watches 'vm'. */
  'stats.vm': VmUsage;
  /** A synchronized folder changed state: copying, in step, paused, a conflict. */
  'sync.changed': { folders: SyncFolderStatus[] };
}
export type EventName = keyof BerthEvents;

/** The object the preload exposes as `window.berth`, derived from the contract. */
export type BerthApi = {
  [K in CallName]: (...args: CallArgs<K>) => Promise<Reply<CallResults[K]>>;
} & {
  on<E extends EventName>(event: E, listener: (payload: BerthEvents[E]) => void): () => void;
};

/** The IPC channel names, derived so preload and main cannot disagree. */
export const callChannel = (name: CallName) => `${CALL_PREFIX}${name}`;
export { EVENT_CHANNEL };
export const CALL_NAMES = Object.keys(CALLS) as CallName[];

// Compile-time check: the preload's plain list names exactly the calls above.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const sameCalls: Same<(typeof CALL_NAME_LIST)[number], CallName> = true;
void sameCalls;
