/** A synchronized folder's states. */
export const SYNC_STATES = ['waiting', 'scanning', 'watching', 'paused', 'stopped'] as const;
export type SyncState = (typeof SYNC_STATES)[number];

/** What can happen to a synchronized folder. */
export type SyncEvent =
  | 'attach' // the VM's sync port is there
  | 'detach' // it went away (the VM stopped, slept or crashed)
  | 'scanned' // a whole reconcile of both sides finished
  | 'rescan' // something asks for a whole reconcile (a lost event, a resume)
  | 'pause' // a safety valve closed: the host folder vanished, or a mass delete waits for the user
  | 'stop'; // the folder is no longer synchronized, or the agent ends

/**
 * The whole life of one synchronized folder: a pair not here is refused. A paused
 * folder applies nothing until `rescan` (the user's resume, or its folder coming back).
 */
export const SYNC_TRANSITIONS: Readonly<Record<SyncState, Partial<Record<SyncEvent, SyncState>>>> = {
  waiting: { attach: 'scanning', stop: 'stopped' },
  scanning: { scanned: 'watching', pause: 'paused', detach: 'waiting', rescan: 'scanning', stop: 'stopped' },
  watching: { rescan: 'scanning', pause: 'paused', detach: 'waiting', stop: 'stopped' },
  paused: { rescan: 'scanning', detach: 'waiting', stop: 'stopped' },
  stopped: {},
};

/** Why a folder is paused, in words for the CLI, the tray and the dashboard. */
export type PauseReason = { kind: 'host-missing' } | { kind: 'host-replaced' } | { kind: 'mass-delete'; side: 'host' | 'vm'; count: number };

/** One synchronized folder as status shows it. */
export interface SyncFolderStatus {
  hostPath: string;
  state: SyncState;
  /** During a whole reconcile: entries looked at, of how many. */
  progress?: { done: number; total: number };
  /** True once a first whole copy finished; a container that mounts the folder is refused until then. */
  ready: boolean;
  paused?: PauseReason;
  /** Conflicts whose VM copy is still beside the host's version. */
  conflicts: { path: string; copy: string; at: string }[];
  entries: number;
  lastSync?: string;
  error?: string;
}
