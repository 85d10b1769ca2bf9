/**
 * Berth's Electron entry: wires the pure modules to Electron and nothing
 * more. Quiet by design: no updater, no telemetry, no sign-in; the only
 * notification is a VM error, at most one per ten minutes.
 */
import { app, clipboard, Notification, shell } from 'electron';
import { join } from 'node:path';
import { berthPaths } from '../agent/paths';
import { BerthService } from '../contract/berth-service';
import { dispatch } from '../contract/dispatcher';
import type { ContainerSummary } from '../contract/berth-api';
import type { VmState } from '../vm/vm-state';
import { setupAppLog } from './app-log';
import { DashboardWindow } from './dashboard-window';
import { registerIpc } from './ipc';
import { loginItem } from './login-item';
import { menuActionRunner } from './menu-actions';
import { launchPlan, quitAction } from './quit-policy';
import { BerthTray } from './tray';
import { findItem, trayCares, trayMenu, type MenuItemModel } from './tray-menu';

const root = app.isPackaged ? process.resourcesPath : join(__dirname, '..', '..', '..');
const paths = berthPaths();
const log = setupAppLog(paths.logs);
// A packaged app boots the guest image it ships; the agent inherits this.
if (app.isPackaged) process.env.BERTH_VM_ASSETS ??= join(process.resourcesPath, 'vm-assets');

if (!app.requestSingleInstanceLock()) app.exit(0);
if (process.platform === 'darwin') app.dock?.hide();

void app.whenReady().then(async () => {
  const service = new BerthService({
    paths,
    // The agent runs with the app's own binary as plain Node.
    agentCommand: { execPath: process.execPath, args: [join(root, app.isPackaged ? 'app.asar' : '', 'dist/main/cli/index.js'), 'agent'], env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } },
    loginItem: loginItem(),
    openExternal: (url) => shell.openExternal(url),
  });
  const handlers = service.handlers();
  const dashboard = new DashboardWindow(join(root, 'dist', 'renderer'), join(root, 'dist', 'preload.js'));
  const tray = new BerthTray(join(root, 'assets'));
  registerIpc(service, () => dashboard.webContents);

  let state: VmState = 'stopped';
  let stage: string | undefined;
  let dockerHost = `unix://${paths.dockerSocket}`;
  let lastNotice = 0;
  const refresh = async () => {
    const [s, c, l] = await Promise.all([dispatch(handlers, 'vm.status', []), dispatch(handlers, 'containers.list', []), dispatch(handlers, 'loginItem.get', [])]);
    if (s.ok) ({ state } = s.value as { state: VmState }), (dockerHost = (s.value as { dockerHost: string }).dockerHost);
    const containers = c.ok ? (c.value as ContainerSummary[]) : [];
    lastMenu = trayMenu({ state, bootStage: stage, containers, startAtLogin: l.ok && l.value === true, dockerHost });
    tray.update(state, lastMenu, (a) => void run(a));
  };
  const run = menuActionRunner({ handlers, electron: { clipboard, shell, app }, dashboard, logsDir: paths.logs, dockerHost: () => dockerHost, refresh: () => void refresh() });
  let lastMenu: MenuItemModel[] = [];
  // For the Electron e2e specs: click a tray item by its stable id, read the state.
  Object.assign(globalThis, {
    berthTest: {
      clickMenuItem: (id: string) => {
        const item = findItem(lastMenu, id);
        if (!item?.action || item.enabled === false) return false;
        void run(item.action);
        return true;
      },
      state: () => state,
    },
  });
  service.on('berth-event', (name: string, payload: { state?: VmState; stage?: string }) => {
    if (name === 'vm.state') log.info(`vm: ${payload.state}`);
    if (name === 'vm.bootStage') stage = payload.stage;
    if (name === 'vm.state' && payload.state === 'error' && Date.now() - lastNotice > 600_000) {
      lastNotice = Date.now();
      new Notification({ title: 'Berth', body: 'The VM could not start. Open Troubleshoot in the menu for details.' }).show();
    }
    if (trayCares(name)) void refresh();
  });

  const settings = await dispatch(handlers, 'settings.get', []);
  const plan = launchPlan(settings.ok ? (settings.value as { startVmOnLaunch: boolean }) : { startVmOnLaunch: true }, process.argv);
  if (plan.showWindow) dashboard.show();
  if (plan.startVm) void dispatch(handlers, 'vm.start', []).then(() => refresh());
  void refresh();

  app.on('second-instance', () => dashboard.show());
  app.on('window-all-closed', () => undefined); // stay in the menu bar
  let quitting = false;
  app.on('before-quit', (e) => {
    dashboard.allowClose();
    if (quitting) return;
    quitting = true;
    e.preventDefault();
    const s = settings.ok ? (settings.value as { stopVmOnQuit: boolean }) : { stopVmOnQuit: true };
    const done = () => {
      service.close();
      app.exit(0);
    };
    if (quitAction(s) === 'stop-vm') void dispatch(handlers, 'vm.stop', []).finally(done);
    else done();
  });
});
