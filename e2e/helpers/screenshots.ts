import type { Page } from 'playwright-core';

/** Screenshots of the page in light and dark (`<base>-light.png`, `<base>-dark.png`), leaving it light. */
export async function screenshotBoth(page: Page, base: string): Promise<void> {
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.screenshot({ path: `${base}-${scheme}.png` });
  }
  await page.emulateMedia({ colorScheme: 'light' });
}
