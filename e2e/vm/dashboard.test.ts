/**
 * The dashboard for real: `berth dashboard` backed by a real agent and VM,
 * driven in Debian's Chromium through playwright-core. Screenshots of each
 * page, light and dark, go to e2e/screenshots/ (git-ignored).
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { launchQuietChromium } from '../helpers/chromium';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { livePid, signal, until, dumpLogsOnFailure } from '../helpers/berth-cli';
import { importBusybox } from '../helpers/busybox-image';
import { SESSION_STORAGE_KEY } from '../../main/contract/dashboard-wire';
import { metaPolicy } from '../../main/contract/web-security';
import { isolatedBerth } from '../helpers/docker-cli';
import { borrowAsAContainer, firstAnswer } from '../helpers/dashboard-borrow';
import { exerciseTerminals } from '../helpers/terminal-checks';
import { searchLargeLog } from '../helpers/log-search-checks';
import { screenshotBoth } from '../helpers/screenshots';
import { startDashboardServer } from '../helpers/dashboard-launch';
import { builtPageAlone } from '../helpers/csp-probe';

const IMG = 'berth-test/busybox:latest';
const SHOTS = join(__dirname, '..', 'screenshots');
const PAGES = ['Containers', 'Images', 'Volumes', 'Resources', 'Settings', 'Troubleshoot'];

describe('dashboard in Chromium against a real VM', () => {
  const { home, env, berth, docker } = isolatedBerth('berth-dash-');
  beforeEach(dumpLogsOnFailure(home));
  let server: ChildProcess;
  let url = '';
  let browser: Browser;
  let page: Page;
  const openerLog = join(home, 'opener.log');
  /** The session the page keeps in its tab. */
  const pageSession = () => page.evaluate<string | null>(`sessionStorage.getItem(${JSON.stringify(SESSION_STORAGE_KEY)})`);
  let opened: string[] = [];
  /** Contract events the page received over its WebSocket, by name, with arrival times. */
  const frames: { event: string; at: number }[] = [];
  const eventsSince = (event: string, t: number) => frames.filter((f) => f.event === event && f.at >= t).length;

  const shoot = (name: string) => screenshotBoth(page, join(SHOTS, name));
  const goTo = (name: string) => page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name, exact: true }).click();

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    mkdirSync(env.DOCKER_CONFIG, { recursive: true });
    // The browser is "opened" by a recording stand-in for xdg-open, and Chromium follows what it was given.
    ({ server, url } = await startDashboardServer(env, openerLog));
    expect(await until(() => existsSync(openerLog), 5000, 50)).toBe(true);
    opened = readFileSync(openerLog, 'utf8').trim().split('\n');
    browser = await launchQuietChromium(['--disable-quic']);
    // A context of its own, so a second tab in it shares whatever the browser would attach to requests.
    page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    page.on('websocket', (ws) =>
      ws.on('framereceived', (f) => {
        const event = /^\{"event":"([a-z.]+)"/.exec(String(f.payload))?.[1];
        if (event) frames.push({ event, at: Date.now() });
      }),
    );
    await page.goto(pathToFileURL(opened[0]).href);
    await page.waitForURL(`http://127.0.0.1:${new URL(url).port}/`);
  });

  afterAll(async () => {
    await browser?.close();
    server?.kill('SIGTERM');
    berth(['stop'], { timeoutMs: 60_000 });
    const pid = livePid(join(home, 'agent.pid'));
    if (pid) signal(pid, 'SIGKILL');
    rmSync(home, { recursive: true, force: true });
  });

  test('Start in the header boots the VM and the header reaches running', async () => {
    await expect.poll(() => page.getByTestId('vm-state').textContent(), { timeout: 15_000 }).toBe('stopped');
    await shoot('stopped');
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await page.getByTestId('vm-state').filter({ hasText: 'running' }).waitFor({ timeout: 240_000 });
    expect(importBusybox((tar) => docker(['import', tar, IMG])).status).toBe(0);
  });

  test('a container started from the CLI appears in the table', async () => {
    const r = docker(['run', '-d', '--name', 'dash-web', '-p', '18095:80', IMG, 'sh', '-c', 'echo dashboard-line; httpd -f -p 80']);
    const t0 = Date.now();
    expect(r.status, r.stderr).toBe(0);
    await page.getByTestId('container-dash-web').waitFor({ timeout: 10_000 });
    const ms = Date.now() - t0;
    console.log(`container row appeared ${ms} ms after docker run returned (goal < 1000 ms)`);
    await page.getByTestId('container-dash-web').getByText('running', { exact: true }).waitFor({ timeout: 10_000 });
    // Uptime comes from the container's start time and ticks in the page, without a refetch.
    await page
      .getByTestId('container-dash-web')
      .getByText(/^Up \d+ seconds$/)
      .waitFor({ timeout: 10_000 });
  });

  test('a busy container shows its CPU and memory, and the drawer graphs them', async () => {
    expect(docker(['run', '-d', '--name', 'dash-spin', IMG, 'sh', '-c', 'while :; do :; done']).status).toBe(0);
    const row = page.getByTestId('container-dash-spin');
    await row.waitFor({ timeout: 10_000 });
    const busy = () => expect.poll(async () => parseFloat((await row.getByTestId('cpu').textContent()) ?? ''), { timeout: 20_000 }).toBeGreaterThan(20);
    const t0 = Date.now();
    await busy();
    const afterRow = Date.now() - t0;
    await goTo('Images');
    await goTo('Containers');
    const t1 = Date.now();
    await busy();
    console.log(`busy CPU shown ${afterRow} ms after the row appeared, ${Date.now() - t1} ms after the page opened (goal < 2000 ms)`);
    expect(await row.getByTestId('memory').textContent()).toMatch(/^\d+(\.\d)? (kB|MB)$/);
    await shoot('containers'); // the README's screenshot: two containers with live CPU and memory
    await row.getByRole('button', { name: 'dash-spin', exact: true }).click();
    const points = () => page.getByTestId('container-cpu-graph').locator('polyline').getAttribute('points');
    await expect.poll(async () => ((await points()) ?? '').split(' ').length, { timeout: 15_000 }).toBeGreaterThanOrEqual(2);
    await page.getByTestId('container-memory-graph').getByText(/ of /).waitFor({ timeout: 5000 });
    await shoot('drawer-graphs');
    await page.getByRole('button', { name: 'Close' }).click();
    expect(docker(['rm', '-f', 'dash-spin']).status).toBe(0);
  });

  test('stats stream only while a page that shows them is open', async () => {
    await goTo('Settings');
    await page.getByLabel('Stop the VM when Berth quits').waitFor();
    await page.waitForTimeout(500); // a sample already in flight may still land
    const quiet = Date.now();
    await page.waitForTimeout(5000);
    expect(eventsSince('stats.containers', quiet) + eventsSince('stats.vm', quiet)).toBe(0);
    await goTo('Containers');
    const open = Date.now();
    await page.waitForTimeout(5000);
    expect(eventsSince('stats.containers', open)).toBeGreaterThanOrEqual(2);
    expect(eventsSince('stats.vm', open)).toBe(0);
  });

  test('Resources graphs the VM live CPU and memory', async () => {
    await goTo('Resources');
    await page.getByTestId('vm-cpu-graph').getByText(/\d %$/).waitFor({ timeout: 15_000 });
    const mem = await page.getByTestId('vm-memory-graph').locator('strong').textContent();
    expect(mem).toMatch(/^\d+(\.\d)? (MB|GB) of \d+(\.\d)? GB$/);
    console.log(`VM usage on Resources: CPU ${await page.getByTestId('vm-cpu-graph').locator('strong').textContent()}, memory ${mem}`);
  });

  test('Reclaim space prunes, and the data disk shrinks on the host', async () => {
    expect(docker(['run', '--name', 'dash-fill', IMG, 'sh', '-c', 'dd if=/dev/urandom of=/big bs=1M count=100 2>/dev/null; sync']).status).toBe(0);
    const disk = join(home, 'vm', 'data.qcow2');
    const allocated = () => statSync(disk).blocks * 512;
    await new Promise((r) => setTimeout(r, 6000)); // let the guest commit, so "before" includes the 100 MB
    const before = allocated();
    await goTo('Resources');
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Reclaim space' }).click();
    const result = page.getByTestId('reclaim-result');
    await result.waitFor({ timeout: 60_000 });
    const after = allocated();
    console.log(`Reclaim space: ${await result.textContent()} (host: ${(before / 1e6).toFixed(0)} MB → ${(after / 1e6).toFixed(0)} MB)`);
    expect(await result.textContent()).toMatch(/1 containers/);
    expect(before - after).toBeGreaterThan(50e6);
    expect(docker(['ps', '-a', '-q', '--filter', 'name=dash-fill']).stdout.trim()).toBe('');
  });

  test('its logs show the expected line', async () => {
    await goTo('Containers');
    await page.getByTestId('container-dash-web').getByRole('button', { name: 'dash-web', exact: true }).click();
    await expect.poll(() => page.getByTestId('logs').textContent(), { timeout: 10_000 }).toContain('dashboard-line');
    await shoot('logs');
    await page.getByRole('button', { name: 'Close' }).click();
  });

  test('the drawer follows new log lines live, in their colours', async () => {
    // The container prints a red line, then waits for a file the test creates, so "later" is surely after the drawer opened.
    const script = 'printf "\\033[31mred-line\\033[0m\\n"; while [ ! -e /go ]; do sleep 0.2; done; echo later-line; sleep 1000';
    expect(docker(['run', '-d', '--name', 'dash-color', IMG, 'sh', '-c', script]).status).toBe(0);
    const row = page.getByTestId('container-dash-color');
    await row.waitFor({ timeout: 10_000 });
    await row.getByRole('button', { name: 'dash-color', exact: true }).click();
    const red = page.getByTestId('logs').locator('span', { hasText: 'red-line' });
    await red.waitFor({ timeout: 10_000 });
    expect(await red.getAttribute('style')).toContain('color: rgb(187, 0, 0)');
    expect(await page.getByTestId('logs').textContent()).not.toContain('later-line');
    const t0 = Date.now();
    expect(docker(['exec', 'dash-color', 'touch', '/go']).status).toBe(0);
    await page.getByTestId('logs').getByText('later-line').waitFor({ timeout: 10_000 });
    console.log(`a new log line reached the open drawer ${Date.now() - t0} ms after docker exec returned`);
    await page.getByRole('button', { name: 'Close' }).click();
    expect(docker(['rm', '-f', 'dash-color']).status).toBe(0);
  });

  test('a 10,000-line log: the last 5,000 kept and said so; search finds, steps and highlights', async () => {
    await searchLargeLog(page, docker, IMG);
  });

  test('a terminal in a container: 42 back, a size that follows the panel, two at once, and no exec left after closing', async () => {
    await exerciseTerminals(page, docker, join(home, 'docker.sock'), IMG, shoot);
  });

  test('Stop from the UI, and the CLI agrees', async () => {
    await page.getByRole('button', { name: 'Stop dash-web' }).click();
    expect(await until(() => docker(['inspect', '-f', '{{.State.Running}}', 'dash-web']).stdout.trim() === 'false', 20_000, 500)).toBe(true);
    await page.getByTestId('container-dash-web').getByText('exited', { exact: true }).waitFor({ timeout: 10_000 });
  });

  test('Remove from the UI', async () => {
    await page.getByRole('button', { name: 'Remove dash-web' }).click();
    await page.getByTestId('container-dash-web').waitFor({ state: 'detached', timeout: 10_000 });
    expect(docker(['ps', '-a', '-q', '--filter', 'name=dash-web']).stdout.trim()).toBe('');
  });

  test('the imported image is on the Images page', async () => {
    await goTo('Images');
    await page.getByText(IMG).waitFor({ timeout: 10_000 });
  });

  test('a changed setting is kept across a reload', async () => {
    await goTo('Settings');
    const box = page.getByLabel('Stop the VM when Berth quits');
    await box.waitFor();
    expect(await box.isChecked()).toBe(true);
    await box.uncheck();
    await expect.poll(() => JSON.parse(readFileSync(join(home, 'settings.json'), 'utf8')).stopVmOnQuit, { timeout: 5000 }).toBe(false);
    await page.reload();
    await goTo('Settings');
    await expect.poll(() => page.getByLabel('Stop the VM when Berth quits').isChecked(), { timeout: 10_000 }).toBe(false);
  });

  test('screenshots of every page, light and dark', async () => {
    for (const name of PAGES) {
      await goTo(name);
      await page.waitForTimeout(300);
      await shoot(`page-${name.toLowerCase()}`);
    }
    expect(existsSync(join(SHOTS, 'containers-dark.png'))).toBe(true);
  });

  test('the built page enforces its CSP by itself, from a file:// load with no header', async () => {
    const { meta, refused } = await builtPageAlone(browser, join(__dirname, '..', '..', 'dist', 'renderer', 'index.html'));
    expect(meta).toBe(metaPolicy());
    expect(refused).toMatch(/^script-src/);
  });

  test('the browser was handed a 0600 file, never the link: no code in any command line', async () => {
    const code = new URL(url).hash.slice('#code='.length);
    expect(opened).toHaveLength(1);
    expect(opened[0]).not.toContain(code);
    expect(opened[0].startsWith(join(home, 'dashboard'))).toBe(true);
    expect(readFileSync(`/proc/${server.pid}/cmdline`, 'utf8')).not.toContain(code);
    // Gone once used or expired; the test opened it already, so it may be either.
    if (existsSync(opened[0])) expect(statSync(opened[0]).mode & 0o777).toBe(0o600);
  });

  test('a published port opened in the same browser receives no credential, and what a container could replay opens nothing', async () => {
    const port = Number(new URL(url).port);
    const session = await pageSession();
    expect(session).toMatch(/^[0-9a-f]{64}$/);
    expect(await page.context().cookies()).toEqual([]);
    await borrowAsAContainer(page, docker, IMG, port, session!);
  });

  test('a used link, no credential or another origin gets no data; the address bar holds no secret', async () => {
    const port = new URL(url).port;
    expect(page.url()).toBe(`http://127.0.0.1:${port}/`);
    const session = await pageSession();
    const attempt = (first: unknown, origin: string) => firstAnswer(port, first, origin);
    const self = `http://127.0.0.1:${port}`;
    const code = new URL(url).hash.slice('#code='.length);
    expect(await attempt(undefined, self)).toBe('closed 4401');
    expect(await attempt({ hello: { code } }, self)).toBe('closed 4401');
    expect(await attempt({ hello: { session: '0'.repeat(64) } }, self)).toBe('closed 4401');
    expect(await attempt({ hello: { session } }, 'http://evil.example')).toBe('refused 401');
    expect(await attempt({ hello: { session } }, self)).toMatch(/^data: \{"welcome"/);
    // The printed link was used by the first page: another browser gets the app's files but no data, and is told what to do.
    const other = await browser.newContext();
    const bad = await other.newPage();
    const heard: string[] = [];
    bad.on('websocket', (ws) => ws.on('framereceived', (f) => heard.push(String(f.payload))));
    await bad.goto(url);
    await bad
      .getByRole('alert')
      .getByText(/Run `berth dashboard` again/)
      .waitFor({ timeout: 10_000 });
    expect(heard.filter((f) => /"(reply|event|welcome)"/.test(f))).toEqual([]);
    expect(await bad.evaluate<string | null>(`sessionStorage.getItem(${JSON.stringify(SESSION_STORAGE_KEY)})`)).toBeNull();
    await other.close();
  });
});
