import { type Browser, chromium } from 'playwright-core';

/** Debian's Chromium: the browser every window of the tests opens in. */
export const CHROMIUM = '/usr/bin/chromium';

/** Headless Chromium that reaches nothing on its own (no updates, sync or background requests), plus `extra` flags. */
export function launchQuietChromium(extra: string[] = [], executablePath = CHROMIUM): Promise<Browser> {
  return chromium.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', ...extra],
  });
}
