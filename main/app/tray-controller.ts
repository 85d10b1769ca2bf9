import type { Notification as ElectronNotification } from 'electron';
import type { ContainerSummary, EngineEntry, LoginItemState } from '../contract/berth-api';
import type { BerthService } from '../contract/berth-service';
import { dispatch, type BerthHandlers } from '../contract/dispatcher';
import { isUp, type VmState } from '../vm/vm-state';
import type { AgentStatus } from '../agent/control-api';
import { menuActionRunner, type ShellPieces } from './menu-actions';
import type { BerthTray } from './tray';
import { type TrayState, trayMenu } from './tray-menu';
import { trayCares } from '../contract/tray-events';

/** What the tray controller is given; Electron's pieces are injected so the wiring stays testable. */
export interface TrayControllerOptions {
  service: BerthService;
  handlers: BerthHandlers;
  tray: BerthTray;
  dashboard: { show(): void };
  electron: ShellPieces;
  logsDir: string;
  dockerSocket: string;
  notify: (body: string) => Pick<ElectronNotification, 'show'>;
  log: { info(...a: unknown[]): void };
}

/** At most one error notification per this long: Berth never nags. */
const NOTIFY_EVERY_MS = 10 * 60_000;

/**
 * Keeps the menu-bar menu in step with the VM and the container list, and
 * carries out its clicks. It rebuilds only on the events that change what it
 * shows (trayCares), and notifies at most once per ten minutes of a VM error.
 */
export function controlTray(o: TrayControllerOptions): { refresh: () => Promise<void> } {
  let state: VmState = 'stopped';
  let stage: string | undefined;
  let dockerHost = `unix://${o.dockerSocket}`;
  let lastNotice = 0;
  /** What the menu shows now, so an event that carries its own news rebuilds it without asking the agent again. */
  let shown: TrayState | undefined;
  const render = (t: TrayState) => {
    shown = t;
    o.tray.update(t.state, trayMenu(t), (a) => void run(a));
  };
  const refresh = async () => {
    const [s, l, e] = await Promise.all([dispatch(o.handlers, 'vm.status', []), dispatch(o.handlers, 'loginItem.get', []), dispatch(o.handlers, 'engines.list', [])]);
    let idleSleep = true;
    let accelFallback: string | undefined;
    let sync: AgentStatus['sync'] = [];
    if (s.ok)
      ({
        state,
        dockerHost,
        accelFallback,
        sync,
        settings: { idleSleep },
      } = s.value as AgentStatus);
    // Only an engine that is up is asked: a list through the socket would wake a sleeping VM.
    const c = isUp(state) ? await dispatch(o.handlers, 'containers.list', []) : undefined;
    const containers = c?.ok ? (c.value as ContainerSummary[]) : [];
    const login = l.ok ? (l.value as LoginItemState) : { enabled: false, needsApproval: false };
    const engines = e.ok ? (e.value as { engines: EngineEntry[] }).engines : [];
    render({ state, bootStage: stage, containers, loginItem: login, idleSleep, dockerHost, accelFallback, engines, sync });
  };
  const run = menuActionRunner({ handlers: o.handlers, electron: o.electron, dashboard: o.dashboard, logsDir: o.logsDir, dockerHost: () => dockerHost, refresh: () => void refresh() });
  o.service.on('berth-event', (name: string, payload: { state?: VmState; stage?: string; folders?: TrayState['sync'] }) => {
    if (name === 'vm.state') o.log.info(`vm: ${payload.state}`);
    if (name === 'vm.bootStage') stage = payload.stage;
    if (name === 'vm.state' && payload.state === 'error' && Date.now() - lastNotice > NOTIFY_EVERY_MS) {
      lastNotice = Date.now();
      o.notify('The VM could not start. Open Troubleshoot in the menu for details.').show();
    }
    // A first copy reports its progress twice a second: the event has all the tray shows of it.
    if (name === 'sync.changed' && shown) render({ ...shown, sync: payload.folders });
    else if (trayCares(name)) void refresh();
  });
  return { refresh };
}
