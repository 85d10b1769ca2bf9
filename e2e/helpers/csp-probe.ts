import type { Browser } from 'playwright-core';
import { pathToFileURL } from 'node:url';

/**
 * A page expression that adds an inline script and resolves with the CSP
 * directive that refused it, or with a note that it ran: the same probe for
 * the Electron window and for the built page in Chromium.
 */
export const INLINE_SCRIPT_PROBE = `new Promise((resolve) => {
  document.addEventListener('securitypolicyviolation', (e) => resolve(e.effectiveDirective), { once: true });
  const el = document.createElement('script');
  el.textContent = 'window.inlineRan = true';
  document.head.append(el);
  setTimeout(() => resolve('no violation; inline ran: ' + window.inlineRan), 2000);
})`;

/** The built page opened from its file in a fresh context (so no header): its CSP meta tag, and what refused an inline script. */
export async function builtPageAlone(browser: Browser, indexHtml: string): Promise<{ meta: string | null; refused: string }> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(pathToFileURL(indexHtml).href);
    const meta = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
    return { meta, refused: await page.evaluate<string>(INLINE_SCRIPT_PROBE) };
  } finally {
    await context.close();
  }
}
