import type { PortConflict, PublishedPort } from '../engine/port-forwarder';
import type { Settings } from '../settings/settings-schema';
import type { VmState, } from '../vm/vm-state';
import type { VmStatus } from '../vm/supervisor';

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
  /** Host folders visible in the VM at the same path. */
  sharedPaths: string[];
  /** Container ports open on 127.0.0.1, and the ones the host could not open. */
  ports: PublishedPort[];
  portConflicts: PortConflict[];
}

/** One line of `GET /v1/events` (newline-delimited JSON). */
export type AgentEvent =
  | { type: 'state'; state: VmState }
  | { type: 'boot-stage'; stage: string }
  | { type: 'check-passed'; check: string }
  | { type: 'stop-step'; step: string }
  /** Something the person waiting should read, e.g. that the accelerator fell back. */
  | { type: 'notice'; message: string }
  | { type: 'error'; message: string };

/** Every error reply: `{ error: { code, message } }` with a 4xx/5xx status. */
export interface ErrorReply {
  error: { code: string; message: string };
}
