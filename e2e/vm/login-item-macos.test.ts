/**
 * The login item on macOS 13+, through the app's real main code under the
 * ELECTRON STAND-IN playing macOS (ELECTRON_STANDIN_PLATFORM=darwin;
 * e2e/electron-standin/login-items.ts emulates SMAppService's behaviour).
 * No VM boots: the app is launched with startVmOnLaunch off.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { LOGIN_ITEMS_SETTINGS_URL } from '../../main/login-item/mac-login-item';
import { StandinApp } from '../electron-standin/launch';
import { findRecorded, type StandinSnapshot } from '../electron-standin/record';
import { berthCli, hermeticEnv, livePid, signal } from '../helpers/berth-cli';

const item = (s: StandinSnapshot, id: string) => findRecorded(s.tray?.menu, (i) => i.id === id);
const calls = (s: StandinSnapshot, api: string) => s.calls.filter((c) => c.api === api);

describe('start at login on macOS 13+ (the app under the Electron stand-in, playing macOS)', () => {
  const root = mkdtempSync(join(tmpdir(), 'berth-login-'));
  const home = join(root, 'home');
  const berthHome = join(home, '.berth');
  mkdirSync(berthHome, { recursive: true, mode: 0o700 });
  writeFileSync(join(berthHome, 'settings.json'), JSON.stringify({ startVmOnLaunch: false }));
  // Launched by macOS at login, with none of the arguments it was registered with.
  const app = StandinApp.launch({
    env: hermeticEnv({
      HOME: home,
      BERTH_HOME: berthHome,
      ELECTRON_STANDIN_PLATFORM: 'darwin',
      ELECTRON_STANDIN_OPENED_AT_LOGIN: '1',
      ELECTRON_STANDIN_LOGIN_APPROVAL: 'pending',
    }),
  });

  afterAll(() => {
    app.kill();
    berthCli({ BERTH_HOME: berthHome })(['stop'], { timeoutMs: 30_000 });
    const agent = livePid(join(berthHome, 'agent.pid'));
    if (agent) signal(agent, 'SIGKILL');
    rmSync(root, { recursive: true, force: true });
  });

  test('a launch at login opens no window, though macOS passed no --hidden; the Dock icon is hidden', async () => {
    const s = await app.until((x) => !!item(x, 'start-at-login'), 30_000);
    expect(item(s, 'start-at-login')).toMatchObject({ checked: false, label: 'Start at Login' });
    expect(s.windows).toEqual([]);
    expect(calls(s, 'app.dock.hide')).toHaveLength(1);
    expect(s.failures).toEqual([]);
  });

  test('switching it on registers without args or openAsHidden; waiting for approval shows, and its button opens System Settings', async () => {
    await app.click('start-at-login');
    let s = await app.until((x) => !!item(x, 'login-approval'), 30_000);
    expect(calls(s, 'app.setLoginItemSettings').map((c) => c.args[0])).toEqual([{ openAtLogin: true }]);
    expect(item(s, 'start-at-login')).toMatchObject({ checked: true, label: 'Start at Login (Waiting for Approval)' });
    await app.click('login-approval');
    s = await app.until((x) => calls(x, 'shell.openExternal').length > 0, 10_000);
    expect(calls(s, 'shell.openExternal').map((c) => c.args[0])).toEqual([LOGIN_ITEMS_SETTINGS_URL]);
    expect(s.failures).toEqual([]);
  });
});
