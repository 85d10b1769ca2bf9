import { app } from 'electron';
import { resolve } from 'node:path';
import { XdgAutostart } from '../login-item/xdg-autostart';

/** Start at login: Electron's login item on macOS and Windows, an XDG autostart file on Linux. */
export function loginItem(): { get(): boolean; set(enabled: boolean): boolean } {
  if (process.platform === 'linux') {
    // A packaged app is its own executable; an unpacked one is Electron running the entry script.
    const program = app.isPackaged ? [process.execPath] : [process.execPath, resolve(process.argv[1])];
    const xdg = new XdgAutostart([...program, '--hidden']);
    return { get: () => xdg.isEnabled(), set: (on) => xdg.set(on) };
  }
  return {
    get: () => app.getLoginItemSettings({ args: ['--hidden'] }).openAtLogin,
    set: (on) => {
      app.setLoginItemSettings({ openAtLogin: on, openAsHidden: true, args: ['--hidden'] });
      return app.getLoginItemSettings({ args: ['--hidden'] }).openAtLogin;
    },
  };
}
