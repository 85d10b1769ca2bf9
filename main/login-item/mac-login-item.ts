import type { LoginItemState } from '../contract/berth-api';

/** The part of Electron's `app` a macOS login item uses; injected so it is tested without Electron. */
export interface MacLoginItemApi {
  getLoginItemSettings(): { openAtLogin: boolean; status?: string; wasOpenedAtLogin?: boolean };
  setLoginItemSettings(settings: { openAtLogin: boolean }): void;
}

/** System Settings › General › Login Items (macOS 13+). */
export const LOGIN_ITEMS_SETTINGS_URL = 'x-apple.systempreferences:com.apple.LoginItems-Settings.extension';

/**
 * Start at login on macOS, where macOS 13 and later (SMAppService) ignore
 * `args` and `openAsHidden`: whether to open hidden comes from
 * `wasOpenedAtLogin` instead, and an item the person switched on may wait
 * for their approval in System Settings (`requires-approval`), which Berth
 * shows rather than reporting it off.
 */
export function macLoginItem(app: MacLoginItemApi, openExternal: (url: string) => Promise<void>) {
  const get = (): LoginItemState => {
    const s = app.getLoginItemSettings();
    const needsApproval = s.status === 'requires-approval';
    return { enabled: s.openAtLogin || s.status === 'enabled' || needsApproval, needsApproval };
  };
  return {
    get,
    set: (enabled: boolean): LoginItemState => {
      app.setLoginItemSettings({ openAtLogin: enabled });
      return get();
    },
    openSettings: () => openExternal(LOGIN_ITEMS_SETTINGS_URL),
    /** This launch was macOS starting Berth at login: it opens no window. */
    openedAtLogin: () => app.getLoginItemSettings().wasOpenedAtLogin === true,
  };
}
