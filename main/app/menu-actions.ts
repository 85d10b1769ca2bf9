import { dispatch, type BerthHandlers } from '../contract/dispatcher';
import type { MenuAction } from './tray-menu';
import type { LoginItemState } from '../contract/berth-api';
import { exportDockerHost } from '../common/shell-quote';

/** The few Electron pieces a click may use; injected so tests pass fakes. */
export interface ShellPieces {
  clipboard: { writeText(text: string): void };
  shell: { openPath(path: string): Promise<string> };
  app: { quit(): void };
  dialog: { showMessageBox(options: { type: 'question'; buttons: string[]; defaultId: number; cancelId: number; message: string; detail: string }): Promise<{ response: number }> };
}

/** Carries out a tray click through the same contract the UI uses. Resolves when the click's work is done. */
export function menuActionRunner(o: { handlers: BerthHandlers; electron: ShellPieces; dashboard: { show(): void }; logsDir: string; dockerHost: () => string; refresh: () => void }) {
  const { handlers } = o;
  const { clipboard, shell, app, dialog } = o.electron;
  return async (a: MenuAction): Promise<void> => {
    switch (a.kind) {
      case 'call':
        await dispatch(handlers, a.call, []);
        return o.refresh();
      case 'container':
        await dispatch(handlers, 'containers.action', [a.id, a.action]);
        return o.refresh();
      case 'sync-resume':
        await dispatch(handlers, 'sync.resume', [a.path]);
        return o.refresh();
      case 'open-url':
        await dispatch(handlers, 'app.openExternal', [a.url]);
        return;
      case 'open-dashboard':
      case 'open-preferences':
        return o.dashboard.show();
      case 'copy-docker-host':
        return clipboard.writeText(exportDockerHost(o.dockerHost()));
      case 'toggle-idle-sleep': {
        const r = await dispatch(handlers, 'settings.get', []);
        if (r.ok) await dispatch(handlers, 'settings.update', [{ idleSleep: !(r.value as { idleSleep: boolean }).idleSleep }]);
        return o.refresh();
      }
      case 'toggle-login-item': {
        const r = await dispatch(handlers, 'loginItem.get', []);
        if (r.ok) await dispatch(handlers, 'loginItem.set', [!(r.value as LoginItemState).enabled]);
        return o.refresh();
      }
      case 'open-login-settings':
        await dispatch(handlers, 'loginItem.openSettings', []);
        return;
      case 'open-logs-folder':
        await shell.openPath(o.logsDir);
        return;
      case 'use-context': {
        // Switching the shell's engine is the user's explicit choice, named before it is made.
        const { response } = await dialog.showMessageBox({
          type: 'question',
          buttons: [`Use “${a.name}”`, 'Cancel'],
          defaultId: 0,
          cancelId: 1,
          message: `Use the Docker context “${a.name}” for the shell?`,
          detail: `This is docker context use ${a.name}: docker commands in your shells go to that engine until you switch back. Berth's own socket stays as it is.`,
        });
        if (response === 0) await dispatch(handlers, 'engines.useForShell', [a.name]);
        return o.refresh();
      }
      case 'quit':
        return app.quit();
    }
  };
}
