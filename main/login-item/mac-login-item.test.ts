import { describe, expect, test } from 'vitest';
import { LOGIN_ITEMS_SETTINGS_URL, macLoginItem, type MacLoginItemApi } from './mac-login-item';

/** A STAND-IN for Electron's login item API on macOS 13+, recording what it is asked. */
function standIn(status: string, wasOpenedAtLogin = false) {
  const calls: unknown[] = [];
  const api: MacLoginItemApi = {
    getLoginItemSettings: () => ({ openAtLogin: status === 'enabled', status, wasOpenedAtLogin }),
    setLoginItemSettings: (s) => {
      calls.push(s);
      status = s.openAtLogin ? 'requires-approval' : 'not-registered';
    },
  };
  return { api, calls };
}

describe('the macOS login item', () => {
  test('set passes neither args nor openAsHidden (macOS 13+ ignores both); an item awaiting approval shows as on and waiting', () => {
    const s = standIn('not-registered');
    const item = macLoginItem(s.api, async () => undefined);
    expect(item.get()).toEqual({ enabled: false, needsApproval: false });
    expect(item.set(true)).toEqual({ enabled: true, needsApproval: true });
    expect(s.calls).toEqual([{ openAtLogin: true }]);
    expect(item.set(false)).toEqual({ enabled: false, needsApproval: false });
  });

  test('whether to open hidden comes from wasOpenedAtLogin; the approval button opens System Settings at Login Items', async () => {
    expect(macLoginItem(standIn('enabled', true).api, async () => undefined).openedAtLogin()).toBe(true);
    expect(macLoginItem(standIn('enabled', false).api, async () => undefined).openedAtLogin()).toBe(false);
    const opened: string[] = [];
    await macLoginItem(standIn('requires-approval').api, async (u) => void opened.push(u)).openSettings();
    expect(opened).toEqual([LOGIN_ITEMS_SETTINGS_URL]);
  });
});
