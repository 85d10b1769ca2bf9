/**
 * Berth's Electron entry: wires the pure modules to Electron and nothing
 * more. Quiet by design: no updater, no telemetry, no sign-in; the only
 * notification is a VM error, at most one per ten minutes.
 */
import { app, clipboard, dialog, Notification, shell } from 'electron';
import { join } from 'node:path';
import { berthPaths } from '../agent/paths';
import { appLayout } from '../common/app-layout';
import { BerthService } from '../contract/berth-service';
import { contextSourcesFrom } from '../contract/engine-choice';
import { dispatch } from '../contract/dispatcher';
import { setupAppLog } from './app-log';
import { DashboardWindow } from './dashboard-window';
import { registerIpc } from './ipc';
import { loginItem } from './login-item';
import { launchPlan, quitVm } from './quit-policy';
import { BerthTray } from './tray';
import { controlTray } from './tray-controller';

const layout = appLayout({ packaged: app.isPackaged, resourcesPath: process.resourcesPath, appRoot: join(__dirname, '..', '..', '..') });
const paths = berthPaths();
const log = setupAppLog(paths.logs);
// A packaged app boots the guest image it ships; the agent inherits this.
if (layout.vmAssets) process.env.BERTH_VM_ASSETS ??= layout.vmAssets;

if (!app.requestSingleInstanceLock()) app.exit(0);
if (process.platform === 'darwin') app.dock?.hide();

void app.whenReady().then(async () => {
  const login = loginItem();
  const service = new BerthService({
    paths,
    // The agent runs with the app's own binary as plain Node.
    agentCommand: { execPath: process.execPath, args: [layout.cliEntry, 'agent'], env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } },
    loginItem: login,
    openExternal: (url) => shell.openExternal(url),
    contexts: contextSourcesFrom(process.env),
  });
  // The tray and the app's own calls are about Berth's VM, whichever engine the window shows.
  const handlers = service.handlers({ for: 'vm' });
  const dashboard = new DashboardWindow(layout.renderer, layout.preload);
  const tray = new BerthTray(layout.trayIcons);
  registerIpc(service, () => dashboard.webContents);
  const { refresh } = controlTray({
    service,
    handlers,
    tray,
    dashboard,
    electron: { clipboard, shell, app, dialog },
    logsDir: paths.logs,
    dockerSocket: paths.dockerSocket,
    notify: (body) => new Notification({ title: 'Berth', body }),
    log,
  });

  const settings = await dispatch(handlers, 'settings.get', []);
  const plan = launchPlan(settings.ok ? (settings.value as { startVmOnLaunch: boolean }) : { startVmOnLaunch: true }, process.argv, login.openedAtLogin());
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
    void quitVm(handlers).finally(() => {
      service.close();
      app.exit(0);
    });
  });
});
