/**
 * The Electron stand-in's own test: a careless main's wiring faults are
 * failures, not silence. No VM; it launches Chromium once.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { hermeticEnv } from '../helpers/berth-cli';
import { StandinApp } from './launch';

describe('Electron stand-in', () => {
  const app = StandinApp.launch({ env: hermeticEnv(), main: join(__dirname, 'fixtures', 'careless-main.js') });
  afterAll(() => app.kill());

  test('an unemulated member, a missing preload and an unhandled rejection are each reported', async () => {
    const s = await app.until((x) => x.failures.length >= 3, 20_000);
    expect(s.failures).toEqual(
      expect.arrayContaining([
        'app.setBadgeCount is not implemented by the Electron stand-in',
        'Unable to load preload script: /nonexistent/preload.js',
        expect.stringMatching(/^unhandled rejection in main: Error: a rejection nobody handles/),
      ]),
    );
  }, 30_000);

  test('a window without a page-side handler for invoke fails loudly in the page', async () => {
    const s = await app.until((x) => x.windows.length === 1, 10_000);
    expect(s.windows[0].webPreferences).toMatchObject({ sandbox: true });
    await expect(app.evaluate(1, "window.__electronStandinInvoke('no:such:channel', [])")).rejects.toThrow(/No handler registered for 'no:such:channel'/);
    expect((await app.snapshot()).failures).toContain("ipcRenderer.invoke('no:such:channel') has no handler in main");
  }, 30_000);
});
