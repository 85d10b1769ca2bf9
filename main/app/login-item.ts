import { app, shell } from 'electron';
import { resolve } from 'node:path';
import type { LoginItemHost } from '../contract/berth-service';
import { macLoginItem } from '../login-item/mac-login-item';
import { XdgAutostart } from '../login-item/xdg-autostart';

/** Start at login, per platform, and whether this launch came from it (then no window opens). */
export function loginItem(): LoginItemHost & { openedAtLogin(): boolean } {
  if (process.platform === 'darwin') return macLoginItem(app, (url) => shell.openExternal(url));
  if (process.platform === 'linux') {
    // A packaged app is its own executable; an unpacked one is Electron running the entry script.
    const program = app.isPackaged ? [process.execPath] : [process.execPath, resolve(process.argv[1])];
    const xdg = new XdgAutostart([...program, '--hidden']);
    const get = () => ({ enabled: xdg.isEnabled(), needsApproval: false });
    return { get, set: (on) => ({ enabled: xdg.set(on), needsApproval: false }), openedAtLogin: () => false };
  }
  // Windows keeps the arguments it was registered with, so --hidden tells a login launch.
  const get = () => ({ enabled: app.getLoginItemSettings({ args: ['--hidden'] }).openAtLogin, needsApproval: false });
  return {
    get,
    set: (on) => {
      app.setLoginItemSettings({ openAtLogin: on, args: ['--hidden'] });
      return get();
    },
    openedAtLogin: () => false,
  };
}
