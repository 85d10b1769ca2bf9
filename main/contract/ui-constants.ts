/**
 * The few values (not types) the UI needs from main, as plain data and pure
 * functions of it: the renderer may import these and the contract's types,
 * nothing else of main/. The tray uses the same labels.
 */
import type { PauseReason, SyncFolderStatus } from '../sync/sync-state';

export { BOOT_STAGES } from '../link/guest';

/** How a Docker context's state reads, in the tray and the dashboard's engine switcher alike. */
export function engineStateLabel(e: { reachable?: boolean; running?: number }): string {
  if (e.reachable === undefined) return 'checking…';
  if (!e.reachable) return 'unreachable';
  return `${e.running ?? 0} running`;
}

/** A synchronized folder's state in words, in the CLI, the tray's neighbour the dashboard, and logs alike. */
export function syncStateText(s: Pick<SyncFolderStatus, 'hostPath' | 'state' | 'ready' | 'entries' | 'progress' | 'paused'>): string {
  if (s.state === 'paused' && s.paused) return `paused: ${pauseText(s.paused, s.hostPath)}`;
  const progress = s.progress ? ` (${s.progress.done} of ${s.progress.total} entries)` : '';
  if (s.state === 'scanning') return `${s.ready ? 'checking both sides' : 'copying into the VM'}${progress}`;
  if (s.state === 'watching') return `in step (${s.entries} entries)`;
  return s.state === 'stopped' ? 'not synchronized' : 'waiting for the VM';
}

function pauseText(p: PauseReason, hostPath: string): string {
  if (p.kind === 'host-missing') return `${hostPath} is gone from the host; nothing is changed in the VM until it is back`;
  if (p.kind === 'host-replaced') return `${hostPath} is another folder than the one synchronized; resume to take it as the new one`;
  const from = p.side === 'vm' ? 'the VM' : 'the host';
  return `${p.count} entries were deleted on the ${p.side === 'vm' ? 'host' : 'VM'}'s side; deleting them from ${from} waits for a resume (or restore them, then resume)`;
}
