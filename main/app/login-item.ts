import { app } from 'electron';
import { XdgAutostart } from '../login-item/xdg-autostart';

/** Start at login: Electron's login item on macOS and Windows, an XDG autostart file on Linux. */
export function loginItem(): { get(): boolean; set(enabled: boolean): boolean } {
  if (process.platform === 'linux') {
    const xdg = new XdgAutostart(process.execPath);
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
