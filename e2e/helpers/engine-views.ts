import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { defaultAssetsDir } from '../../main/vm/assets';
import { StandinApp } from '../electron-standin/launch';
import { findRecorded, type RecordedItem, type StandinSnapshot } from '../electron-standin/record';
import { hermeticEnv } from './berth-cli';
import { launchQuietChromium } from './chromium';
import { startDashboardServer } from './dashboard-launch';

/** What a user of another engine has set: the contexts' folder and the ssh command for ssh:// ones. */
export interface EngineUserEnv {
  DOCKER_CONFIG: string;
  BERTH_SSH_COMMAND: string;
}

/** The labels of a tray submenu's items, by the submenu's id. */
export function trayLabels(s: StandinSnapshot, id: string): string[] {
  return (findRecorded(s.tray?.menu, (i) => i.id === id)?.submenu ?? []).map((i: RecordedItem) => i.label ?? '—');
}

/**
 * The menu-bar app under the ELECTRON STAND-IN with a Berth home of its own
 * under `root` (its VM not started at launch), seeing the given contexts. A message
 * box is answered with the button labelled `dialogAnswer`.
 */
export function launchTrayApp(root: string, user: EngineUserEnv, dialogAnswer: string): StandinApp {
  const home = join(root, 'home');
  // Its own VM stays off: the test is about the other engines, and a booted Berth would keep its own `berth` context in the store.
  mkdirSync(join(home, '.berth'), { recursive: true });
  writeFileSync(join(home, '.berth', 'settings.json'), JSON.stringify({ startVmOnLaunch: false }));
  const env = hermeticEnv({
    HOME: home,
    BERTH_HOME: join(home, '.berth'),
    XDG_CONFIG_HOME: join(home, '.config'),
    BERTH_VM_ASSETS: defaultAssetsDir(hermeticEnv()),
    ...user,
    ELECTRON_STANDIN_DIALOG_ANSWER: dialogAnswer,
  });
  return StandinApp.launch({ env, args: ['--hidden'] });
}

/** `berth dashboard` for a Berth home of its own under `root` (its VM never started), seeing the given contexts, open in Chromium. */
export async function openDashboard(root: string, user: EngineUserEnv): Promise<{ stop(): Promise<void>; page: Page }> {
  const { server, url } = await startDashboardServer({ BERTH_HOME: join(root, 'berth'), ...user }, join(root, 'opener.log'));
  let browser: Browser | undefined;
  try {
    browser = await launchQuietChromium(['--disable-quic']);
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    await page.goto(url);
    return {
      page,
      stop: async () => {
        await browser?.close();
        server.kill('SIGTERM');
      },
    };
  } catch (e) {
    await browser?.close();
    server.kill('SIGTERM');
    throw e;
  }
}
