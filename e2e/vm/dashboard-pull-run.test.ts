/**
 * Pull and run from the dashboard, for real: `berth dashboard` on a real
 * agent and VM, driven in Debian's Chromium. The image comes from a local
 * registry (Debian's docker-registry on 127.0.0.1, reached by the guest at
 * QEMU's gateway and named in the engine setting's insecure-registries), as
 * there is no Docker Hub here. The run dialog's container serves a bind-mounted
 * host folder on a 127.0.0.1 port, fetched from the host.
 */
import type { ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { freeLoopbackPort } from '../../main/common/free-port';
import { dumpLogsOnFailure, stopAndClean } from '../helpers/berth-cli';
import { importBusybox } from '../helpers/busybox-image';
import { launchQuietChromium } from '../helpers/chromium';
import { startDashboardServer } from '../helpers/dashboard-launch';
import { isolatedBerth } from '../helpers/docker-cli';
import { type LocalRegistry, startLocalRegistry } from '../helpers/local-registry';
import { fillRunDialog, registryLayers } from '../helpers/run-dialog-checks';

const IMG = 'berth-test/busybox:latest';
const SHOTS = join(__dirname, '..', 'screenshots');
const README_SHOT = join(__dirname, '..', '..', 'assets', 'screenshot-run-dialog.png');

describe('pull and run from the dashboard, against a real VM', () => {
  const { home, env, berth, docker } = isolatedBerth('berth-pullrun-');
  beforeEach(dumpLogsOnFailure(home));
  let registry: LocalRegistry;
  let server: ChildProcess | undefined;
  let browser: Browser | undefined;
  let page: Page;
  /** How many 'images.pullProgress' frames the page received. */
  let progressFrames = 0;
  let pushed = '';
  const goTo = (name: string) => page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name, exact: true }).click();

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    mkdirSync(env.DOCKER_CONFIG, { recursive: true });
    registry = await startLocalRegistry(join(home, 'registry'));
    // The engine setting is in place before the first boot, so no restart is needed.
    const set = berth(['config', 'set', 'engine', JSON.stringify({ 'insecure-registries': [registry.guestAddress] })]);
    if (set.status !== 0) throw new Error(`berth config set failed: ${set.stderr}`);
    const r = berth(['start'], { timeoutMs: 400_000 });
    if (r.status !== 0) throw new Error(`berth start failed: ${r.stderr}`);
    expect(importBusybox((tar) => docker(['import', tar, IMG])).status).toBe(0);
    // Two layers: busybox, and 3 MB of noise committed on top, so the pull has a layer whose bytes it counts.
    pushed = `${registry.guestAddress}/berth/two-layers:1`;
    expect(docker(['run', '--name', 'layer2', IMG, 'dd', 'if=/dev/urandom', 'of=/noise', 'bs=1024', 'count=3072']).status).toBe(0);
    expect(docker(['commit', 'layer2', pushed]).status).toBe(0);
    const push = docker(['push', pushed], { timeoutMs: 120_000 });
    expect(push.status, push.stderr).toBe(0);
    expect(docker(['rm', 'layer2']).status).toBe(0);
    expect(docker(['rmi', pushed]).status).toBe(0);
    let url: string;
    ({ server, url } = await startDashboardServer(env, join(home, 'opener.log')));
    browser = await launchQuietChromium(['--disable-quic']);
    page = await (await browser.newContext({ viewport: { width: 1280, height: 860 } })).newPage();
    page.on('websocket', (ws) => ws.on('framereceived', (f) => void (String(f.payload).startsWith('{"event":"images.pullProgress"') && progressFrames++)));
    await page.goto(url);
    await page.getByTestId('vm-state').filter({ hasText: 'running' }).waitFor({ timeout: 30_000 });
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    server?.kill('SIGTERM');
    registry?.stop();
    stopAndClean(home, berth);
  });

  test('Pull shows a row for each layer the registry holds, and the image is listed', async () => {
    await goTo('Images');
    await page.getByLabel('Image to pull').fill(pushed);
    await page.getByRole('button', { name: 'Pull', exact: true }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `Status: Downloaded newer image for ${pushed}` })
      .waitFor({ timeout: 120_000 });
    const layers = await registryLayers(registry.hostAddress, 'berth/two-layers', '1');
    expect(layers).toHaveLength(2);
    const rows = page.getByTestId('pull-layer');
    expect((await rows.locator('code').allTextContents()).sort()).toEqual(layers.map((d) => d.slice('sha256:'.length, 'sha256:'.length + 12)).sort());
    // The busybox layer is local already (imported); the layer committed on top is new.
    const states = await rows.getByTestId('layer-status').allTextContents();
    expect(states.filter((st) => st === 'Pull complete').length).toBeGreaterThanOrEqual(1);
    expect(states.every((st) => st === 'Pull complete' || st === 'Already exists')).toBe(true);
    expect(progressFrames).toBeGreaterThan(0);
    await page.getByTestId('image-row').filter({ hasText: pushed }).waitFor({ timeout: 10_000 });
    expect(docker(['image', 'inspect', pushed]).status).toBe(0);
  });

  test("a pull the registry cannot serve shows the engine's words", async () => {
    await page.getByLabel('Image to pull').fill(`${registry.guestAddress}/berth/absent:1`);
    await page.getByRole('button', { name: 'Pull', exact: true }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor({ timeout: 60_000 });
    const cli = docker(['pull', `${registry.guestAddress}/berth/absent:1`]);
    expect(cli.status).not.toBe(0);
    const said = (await alert.textContent()) ?? '';
    expect(said).toMatch(/manifest unknown|not found/);
    expect(cli.stderr).toContain(said);
  });

  test('the run dialog starts a container with a port and a bind mount, and the host fetches it', async () => {
    const www = mkdtempSync(join(tmpdir(), 'berth-dialog-www-'));
    writeFileSync(join(www, 'index.html'), 'served from the run dialog\n');
    const port = await freeLoopbackPort();
    await page.getByRole('button', { name: `Run ${IMG}` }).click();
    await fillRunDialog(page, { name: 'dialog-web', hostPort: port, containerPort: 8080, env: 'GREETING=from-dialog', source: www, target: '/www', command: 'httpd -f -p 8080 -h /www', remove: true });
    await page.screenshot({ path: join(SHOTS, 'run-dialog-light.png') });
    copyFileSync(join(SHOTS, 'run-dialog-light.png'), README_SHOT);
    await page.getByRole('dialog').getByRole('button', { name: 'Run', exact: true }).click();
    await page.getByTestId('container-dialog-web').getByText('running', { exact: true }).waitFor({ timeout: 30_000 });
    let body = '';
    await expect
      .poll(
        async () =>
          (body = await fetch(`http://127.0.0.1:${port}/index.html`).then(
            (r) => r.text(),
            () => '',
          )),
        { timeout: 20_000 },
      )
      .toBe('served from the run dialog\n');
    const inspect = JSON.parse(docker(['inspect', 'dialog-web']).stdout)[0];
    expect(inspect.HostConfig.AutoRemove).toBe(true);
    expect(inspect.HostConfig.PortBindings).toEqual({ '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: String(port) }] });
    expect(inspect.Config.Env).toContain('GREETING=from-dialog');
    expect(inspect.HostConfig.Binds).toEqual([`${www}:/www`]);
    // --rm: once stopped, it is gone.
    expect(docker(['stop', '-t', '1', 'dialog-web']).status).toBe(0);
    await expect.poll(() => docker(['ps', '-a', '-q', '--filter', 'name=^dialog-web$']).stdout.trim(), { timeout: 20_000 }).toBe('');
    rmSync(www, { recursive: true, force: true });
    expect(body).toBe('served from the run dialog\n');
  });

  test('a bind mount of a folder the VM does not share is refused with the words the CLI gets', async () => {
    const unshared = mkdtempSync(join('/var/tmp', 'berth-unshared-'));
    await goTo('Containers');
    await page.getByRole('button', { name: 'Run…' }).click();
    await fillRunDialog(page, { image: IMG, source: unshared, target: '/x', command: 'true' });
    await page.getByRole('dialog').getByRole('button', { name: 'Run', exact: true }).click();
    const said = (await page.getByRole('dialog').getByRole('alert').textContent({ timeout: 30_000 })) ?? '';
    expect(said).toMatch(/^Mounts denied: the path /);
    const cli = docker(['run', '--rm', '-v', `${unshared}:/x`, IMG, 'true']);
    expect(cli.status).not.toBe(0);
    expect(cli.stderr).toContain(said);
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByRole('dialog').count()).toBe(0);
    rmSync(unshared, { recursive: true, force: true });
  });
});
