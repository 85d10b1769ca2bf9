/**
 * The tray menu as data: a pure function of the VM state, the running
 * containers and the settings. The Electron adapter only turns this into a
 * Menu, so every item and its enabled state is unit-tested without Electron.
 */
import type { ContainerSummary, EngineEntry, LoginItemState, SyncFolderStatus } from '../contract/berth-api';
import { engineStateLabel } from '../contract/ui-constants';
import { isUp, type VmState } from '../vm/vm-state';

/** What a click does, as a contract-level action the adapter carries out. */
export type MenuAction =
  | { kind: 'call'; call: 'vm.start' | 'vm.stop' | 'vm.restart' | 'vm.retryAccel' }
  | { kind: 'container'; id: string; action: 'stop' | 'restart' }
  | { kind: 'open-url'; url: string }
  | { kind: 'open-dashboard' }
  | { kind: 'copy-docker-host' }
  | { kind: 'toggle-login-item' }
  | { kind: 'open-login-settings' }
  | { kind: 'toggle-idle-sleep' }
  | { kind: 'open-preferences' }
  | { kind: 'open-logs-folder' }
  | { kind: 'use-context'; name: string }
  | { kind: 'sync-resume'; path: string }
  | { kind: 'quit' };

/** One menu item with a stable id. */
export interface MenuItemModel {
  id: string;
  label?: string;
  type?: 'normal' | 'separator' | 'checkbox' | 'submenu';
  enabled?: boolean;
  checked?: boolean;
  action?: MenuAction;
  submenu?: MenuItemModel[];
}

export interface TrayState {
  state: VmState;
  bootStage?: string;
  containers: ContainerSummary[];
  loginItem: LoginItemState;
  /** Set when the VM runs with software emulation although the host has a hardware accelerator: said, never hidden. */
  accelFallback?: string;
  /** The idleSleep setting. */
  idleSleep: boolean;
  dockerHost: string;
  /** Docker's other contexts, with their last known state. */
  engines: EngineEntry[];
  /** Synchronized folders; only those that need a look show (copying, paused, in conflict). */
  sync?: SyncFolderStatus[];
}

function statusLine(s: TrayState): string {
  switch (s.state) {
    case 'running': {
      const n = s.containers.filter((c) => c.state === 'running').length;
      return `Berth is running · ${n} container${n === 1 ? '' : 's'}`;
    }
    case 'degraded':
      return 'Berth is running, but the engine is not answering';
    case 'starting':
      return `Starting…${s.bootStage ? ` (${s.bootStage})` : ''}`;
    case 'stopping':
      return 'Stopping…';
    case 'suspending':
      return 'Going to sleep…';
    case 'sleeping':
      return 'Berth is asleep · wakes on the next docker command';
    case 'error':
      return 'Berth could not start: see Troubleshoot';
    default:
      return 'Berth is stopped';
  }
}

/** Builds the tray menu for a state. */
export function trayMenu(s: TrayState): MenuItemModel[] {
  const up = isUp(s.state);
  const running = s.containers.filter((c) => c.state === 'running');
  const containers: MenuItemModel[] = running.length
    ? running.map((c) => ({
        id: `container:${c.id}`,
        label: c.name,
        type: 'submenu',
        submenu: [
          { id: `container:${c.id}:stop`, label: 'Stop', action: { kind: 'container', id: c.id, action: 'stop' } },
          { id: `container:${c.id}:restart`, label: 'Restart', action: { kind: 'container', id: c.id, action: 'restart' } },
          ...c.ports
            .filter((p) => p.proto === 'tcp')
            .map((p) => ({ id: `container:${c.id}:open:${p.host}`, label: `Open localhost:${p.host}`, action: { kind: 'open-url', url: `http://localhost:${p.host}` } as MenuAction })),
        ],
      }))
    : [{ id: 'containers:none', label: 'No running containers', enabled: false }];
  return [
    { id: 'status', label: statusLine(s), enabled: false },
    ...fallbackItems(s),
    ...syncItems(s.sync ?? []),
    { id: 'sep-1', type: 'separator' },
    {
      id: 'start',
      label: s.state === 'sleeping' ? 'Wake' : 'Start',
      enabled: s.state === 'stopped' || s.state === 'error' || s.state === 'sleeping',
      action: { kind: 'call', call: 'vm.start' },
    },
    { id: 'stop', label: 'Stop', enabled: up || s.state === 'starting' || s.state === 'sleeping', action: { kind: 'call', call: 'vm.stop' } },
    { id: 'restart', label: 'Restart', enabled: up || s.state === 'error' || s.state === 'sleeping', action: { kind: 'call', call: 'vm.restart' } },
    { id: 'containers', label: 'Containers', type: 'submenu', enabled: up, submenu: containers },
    ...engineItems(s.engines),
    { id: 'sep-2', type: 'separator' },
    { id: 'dashboard', label: 'Open Dashboard', action: { kind: 'open-dashboard' } },
    { id: 'copy-docker-host', label: `Copy export DOCKER_HOST=${s.dockerHost}`, action: { kind: 'copy-docker-host' } },
    { id: 'idle-sleep', label: 'Sleep When Idle', type: 'checkbox', checked: s.idleSleep, action: { kind: 'toggle-idle-sleep' } },
    ...loginItems(s.loginItem),
    { id: 'preferences', label: 'Preferences…', action: { kind: 'open-preferences' } },
    {
      id: 'troubleshoot',
      label: 'Troubleshoot',
      type: 'submenu',
      submenu: [
        { id: 'troubleshoot:logs', label: 'Open Logs Folder', action: { kind: 'open-logs-folder' } },
        { id: 'troubleshoot:restart', label: 'Restart VM', enabled: s.state !== 'stopping', action: { kind: 'call', call: 'vm.restart' } },
      ],
    },
    { id: 'sep-3', type: 'separator' },
    { id: 'quit', label: 'Quit Berth', action: { kind: 'quit' } },
  ];
}

/**
 * "Docker Engines": each other context with its state and running containers,
 * and "Use for the Shell…" (`docker context use`, after a confirmation). Absent
 * while Berth's own is the only engine.
 */
function engineItems(engines: EngineEntry[]): MenuItemModel[] {
  if (engines.length === 0) return [];
  const inside = (e: EngineEntry): MenuItemModel[] => {
    const shown: MenuItemModel[] =
      e.reachable === false
        ? [{ id: `engine:${e.name}:error`, label: `Unreachable: ${e.error ?? 'no answer'}`, enabled: false }]
        : (e.runningNames ?? []).map((n) => ({ id: `engine:${e.name}:container:${n}`, label: n, enabled: false }));
    if (shown.length === 0) shown.push({ id: `engine:${e.name}:none`, label: e.reachable ? 'No running containers' : 'Checking…', enabled: false });
    const use: MenuItemModel = e.current
      ? { id: `engine:${e.name}:use`, label: 'Used by the Shell', enabled: false }
      : { id: `engine:${e.name}:use`, label: 'Use for the Shell…', action: { kind: 'use-context', name: e.name } };
    return [{ id: `engine:${e.name}:host`, label: e.host, enabled: false }, ...shown, { id: `engine:${e.name}:sep`, type: 'separator' }, use];
  };
  const submenu = engines.map((e): MenuItemModel => ({ id: `engine:${e.name}`, label: `${e.name} · ${engineStateLabel(e)}${e.current ? ' · shell' : ''}`, type: 'submenu', submenu: inside(e) }));
  return [{ id: 'engines', label: 'Docker Engines', type: 'submenu', submenu }];
}

/**
 * Synchronized folders that need a look: a first copy under way, a pause (with the way on), a
 * conflict. A folder in step shows nothing: Berth stays quiet.
 */
function syncItems(folders: SyncFolderStatus[]): MenuItemModel[] {
  return folders.flatMap((f): MenuItemModel[] => {
    const name = f.hostPath.slice(f.hostPath.lastIndexOf('/') + 1) || f.hostPath;
    const items: MenuItemModel[] = [];
    if (f.state === 'scanning' && !f.ready)
      items.push({ id: `sync:${f.hostPath}:copying`, label: `Copying ${name} into the VM${f.progress ? ` (${f.progress.done} of ${f.progress.total})` : ''}`, enabled: false });
    if (f.state === 'paused') {
      const why = f.paused?.kind === 'mass-delete' ? `${f.paused.count} deletes wait` : f.paused?.kind === 'host-missing' ? 'its folder is gone' : 'its folder was replaced';
      items.push({ id: `sync:${f.hostPath}:paused`, label: `⚠ Sync of ${name} paused: ${why}`, enabled: false });
      if (f.paused?.kind !== 'host-missing') items.push({ id: `sync:${f.hostPath}:resume`, label: `Resume Sync of ${name}`, action: { kind: 'sync-resume', path: f.hostPath } });
    }
    if (f.conflicts.length)
      items.push({ id: `sync:${f.hostPath}:conflicts`, label: `⚠ ${f.conflicts.length} sync conflict${f.conflicts.length === 1 ? '' : 's'} in ${name}`, action: { kind: 'open-dashboard' } });
    return items;
  });
}

/** The loud line of a software-emulation fallback, and the way out of it. */
function fallbackItems(s: TrayState): MenuItemModel[] {
  if (!s.accelFallback) return [];
  return [
    { id: 'accel-fallback', label: `⚠ ${s.accelFallback}`, enabled: false },
    { id: 'accel-retry', label: 'Try Hardware Acceleration Again', action: { kind: 'call', call: 'vm.retryAccel' } },
  ];
}

/** Start at Login, and on macOS 13+ the approval it may be waiting for. */
function loginItems(l: LoginItemState): MenuItemModel[] {
  const toggle: MenuItemModel = {
    id: 'start-at-login',
    label: l.needsApproval ? 'Start at Login (Waiting for Approval)' : 'Start at Login',
    type: 'checkbox',
    checked: l.enabled,
    action: { kind: 'toggle-login-item' },
  };
  if (!l.needsApproval) return [toggle];
  return [toggle, { id: 'login-approval', label: 'Allow Berth in System Settings…', action: { kind: 'open-login-settings' } }];
}

/** Finds an item by id anywhere in the menu. */
export function findItem(items: MenuItemModel[], id: string): MenuItemModel | undefined {
  for (const i of items) {
    if (i.id === id) return i;
    const inner = i.submenu && findItem(i.submenu, id);
    if (inner) return inner;
  }
  return undefined;
}
