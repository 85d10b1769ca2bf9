import type { PortConflict, PublishedPort } from '../engine/port-forwarder';
import type { Settings } from '../settings/settings-schema';
import type { SyncFolderStatus } from '../sync/sync-state';
import type { VmEvent } from '../vm/vm-events';
import type { VmStatus } from '../vm/supervisor';
import type { VmUsage } from '../vm/vm-usage';

/** The agent's control API version prefix. */
export const API_PREFIX = '/v1';

/** `GET /v1/status`: the VM's live status plus what a client needs to use the engine. */
export interface AgentStatus extends VmStatus {
  agentPid: number;
  socketPath: string;
  dockerHost: string;
  /** The shell line that points docker at the socket, quoted for pasting. */
  dockerHostExport: string;
  engineVersion?: string;
  apiVersion?: string;
  settings: Settings;
  /** Set when settings.json was unreadable and was moved aside at agent start. */
  settingsRecovered?: { backup: string; reason: string };
  /** What the running VM was booted with; `settings` may since have changed. */
  booted?: BootedWith;
  /** Settings changed since the boot, which apply at the next restart. */
  pendingRestart: (keyof BootedWith)[];
  /** Host folders visible in the VM at the same path. */
  sharedPaths: string[];
  /** Synchronized folders: each one's state, first-copy progress, pause and conflicts. */
  sync: SyncFolderStatus[];
  /** Container ports open on 127.0.0.1, and the ones the host could not open. */
  ports: PublishedPort[];
  portConflicts: PortConflict[];
}

/** The settings a boot uses: a change to any of them waits for the next restart. */
export const BOOTED_WITH_KEYS = ['cpus', 'memoryMiB', 'diskGiB', 'enginePort', 'accelerator', 'sharedPaths', 'syncedPaths', 'socketPath', 'containerdImageStore', 'engine'] as const;

/** The settings a boot uses, as the VM got them. */
export type BootedWith = Pick<Settings, (typeof BOOTED_WITH_KEYS)[number]>;

/** The settings a boot takes that differ now from what it got. */
export function changedSince(booted: BootedWith, current: Settings): (keyof BootedWith)[] {
  return (Object.keys(booted) as (keyof BootedWith)[]).filter((k) => JSON.stringify(booted[k]) !== JSON.stringify(current[k]));
}

/** What of the settings a boot takes. */
export function bootedWith(s: Settings): BootedWith {
  return Object.fromEntries(BOOTED_WITH_KEYS.map((k) => [k, s[k]])) as BootedWith;
}

/** `GET`/`PATCH /v1/settings`: the settings, with what the agent knows about them. */
export interface SettingsView {
  settings: Settings;
  /** Set when settings.json was unreadable at agent start and was moved aside. */
  recovered?: { backup: string; reason: string };
  /** Changed settings that apply at the next restart of the running VM. */
  pendingRestart: (keyof BootedWith)[];
}

/**
 * The control API in one table, Rancher-style: each route's method and path,
 * and (in RouteTypes) what it takes and returns. The client and the server are
 * both typed from it, so they cannot drift apart.
 */
export const ROUTES = {
  status: { method: 'GET', path: '/status' },
  start: { method: 'POST', path: '/start' },
  stop: { method: 'POST', path: '/stop' },
  restart: { method: 'POST', path: '/restart' },
  sleep: { method: 'POST', path: '/sleep' },
  'accel.retry': { method: 'POST', path: '/accel/retry' },
  reset: { method: 'POST', path: '/reset' },
  usage: { method: 'GET', path: '/usage' },
  disk: { method: 'GET', path: '/disk' },
  clock: { method: 'GET', path: '/clock' },
  'settings.get': { method: 'GET', path: '/settings' },
  'settings.update': { method: 'PATCH', path: '/settings' },
  'sync.status': { method: 'GET', path: '/sync' },
  'sync.resume': { method: 'POST', path: '/sync/resume' },
  shutdown: { method: 'POST', path: '/shutdown' },
} as const;

export type RouteName = keyof typeof ROUTES;

/** What each route takes as its JSON body (`undefined`: none) and answers with. */
export interface RouteTypes {
  status: { body: undefined; result: AgentStatus };
  start: { body: undefined; result: AgentStatus };
  stop: { body: undefined; result: AgentStatus };
  restart: { body: undefined; result: AgentStatus };
  sleep: { body: undefined; result: AgentStatus };
  /** "Try hardware acceleration again": forgets a remembered failure and restarts a VM that is up. */
  'accel.retry': { body: undefined; result: AgentStatus };
  reset: { body: undefined; result: { ok: true } };
  usage: { body: undefined; result: VmUsage };
  /** What the data disk occupies on the host (absent before the first boot). */
  disk: { body: undefined; result: { allocatedBytes?: number } };
  /** The guest's clock against the host's (dockerd's SystemTime), while the VM runs. */
  clock: { body: undefined; result: { guest: string; host: string; skewMs: number } };
  'settings.get': { body: undefined; result: SettingsView };
  'settings.update': { body: Partial<Record<keyof Settings, unknown>>; result: SettingsView };
  /** Each synchronized folder: its state, first-copy progress, pause and conflicts. */
  'sync.status': { body: undefined; result: SyncFolderStatus[] };
  /** Goes on with a paused folder (a mass delete is applied), or reconciles one whole. */
  'sync.resume': { body: { path: string }; result: SyncFolderStatus[] };
  shutdown: { body: undefined; result: { ok: true } };
}

/** The arguments after the route name: the body, for routes that take one. */
export type RouteArgs<R extends RouteName> = RouteTypes[R]['body'] extends undefined ? [] : [body: RouteTypes[R]['body']];

/**
 * One line of `GET /v1/events` (newline-delimited JSON): the VM's own events, in their one
 * vocabulary, and each container event of the engine (empty after the agent reconnected to it,
 * when some may have been missed).
 */
export type AgentEvent = VmEvent | { event: 'engine.container'; payload: { id?: string; action?: string } } | { event: 'sync.changed'; payload: { folders: SyncFolderStatus[] } };

/** Every error reply: `{ error: { code, message } }` with a 4xx/5xx status. */
export interface ErrorReply {
  error: { code: string; message: string };
}
