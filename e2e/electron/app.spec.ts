/**
 * The packaged-app path, driven through Playwright's Electron support. It
 * needs a real Electron binary: where none exists (these CI machines: the
 * `electron` package only downloads one), every test skips with one line.
 *
 *   npx vitest run --project electron
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { hermeticEnv } from '../helpers/berth-cli';

const root = join(__dirname, '..', '..');
function electronBinary(): string | undefined {
  try {
    const p = require(join(root, 'node_modules', 'electron')) as unknown as string;
    return typeof p === 'string' && existsSync(p) ? p : undefined;
  } catch {
    return undefined;
  }
}
const binary = electronBinary();
if (!binary) console.log('e2e/electron: skipped: no Electron binary on this machine (the electron package could not download one)');

function ping(socketPath: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path: '/_ping', agent: false }, (res) => {
      let b = '';
      res.on('data', (d) => (b += d));
      res.on('end', () => resolve(b));
    });
    req.on('error', reject);
    req.end();
  });
}

describe.skipIf(!binary)('Berth menu-bar app (Electron)', () => {
  const home = mkdtempSync(join(tmpdir(), 'berth-electron-'));
  // Playwright's ElectronApplication; typed loosely so this file type-checks without playwright-core installed.
  // biome-ignore lint/suspicious/noExplicitAny: Playwright's ElectronApplication, typed loosely so this file type-checks without playwright-core's Electron types
  let app: any;

  beforeAll(async () => {
    const { _electron } = await import('playwright-core');
    app = await _electron.launch({
      executablePath: binary,
      args: [join(root, 'dist', 'main', 'app', 'index.js'), '--hidden'],
      env: hermeticEnv({ BERTH_HOME: home, DOCKER_CONFIG: join(home, 'docker-config') }) as Record<string, string>,
    });
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    rmSync(home, { recursive: true, force: true });
  });

  test('started hidden, it opens no window', async () => {
    expect(app.windows().length).toBe(0);
  });

  test("a second launch opens the dashboard, with the security flags (Electron's own second-instance event)", async () => {
    await app.evaluate(({ app: electronApp }: { app: { emit(event: string): void } }) => electronApp.emit('second-instance'));
    const prefs = await app.evaluate(({ BrowserWindow }: { BrowserWindow: { getAllWindows(): { webContents: { getLastWebPreferences(): Record<string, unknown> } }[] } }) =>
      BrowserWindow.getAllWindows()[0]?.webContents.getLastWebPreferences(),
    );
    expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false });
  });

  test('the dashboard starts the VM through the contract (window.berth); the state reaches running and the socket answers', async () => {
    const page = await app.firstWindow();
    const call = (name: string) => page.evaluate((n: string) => (globalThis as unknown as { berth: Record<string, () => Promise<{ ok: boolean; value?: { state?: string } }>> }).berth[n](), name);
    expect((await call('vm.start')).ok).toBe(true);
    let state = '';
    for (let i = 0; i < 300 && state !== 'running'; i++) {
      state = (await call('vm.status')).value?.state ?? '';
      if (state !== 'running') await new Promise((r) => setTimeout(r, 1000));
    }
    expect(state).toBe('running');
    expect(await ping(join(home, 'docker.sock'))).toBe('OK');
  }, 330_000);
});
