/**
 * The menu-bar app's real code (dist/main/app: index, tray, menu actions,
 * dashboard window, IPC, preload, login item) run under the ELECTRON STAND-IN
 * (e2e/electron-standin/, test-only), against a real agent and VM: one VM for
 * the file. The tray is read and clicked through what the app handed to
 * Tray/Menu; the dashboard is a page in Debian's Chromium with the real preload.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { freeLoopbackPort } from '../../main/common/free-port';
import { CONTENT_SECURITY_POLICY } from '../../main/contract/web-security';
import { INLINE_SCRIPT_PROBE } from '../helpers/csp-probe';
import { exportDockerHost } from '../../main/common/shell-quote';
import { defaultAssetsDir } from '../../main/vm/assets';
import { APP_MAIN, StandinApp } from '../electron-standin/launch';
import { drawMenu } from '../electron-standin/menu-picture';
import { findRecorded as find, type RecordedItem, type StandinSnapshot } from '../electron-standin/record';
import { alive, berthCli, dumpLogsOnFailure, hermeticEnv, livePid, signal, until } from '../helpers/berth-cli';
import { importBusybox } from '../helpers/busybox-image';
import { dockerCli } from '../helpers/docker-cli';

const IMG = 'berth-test/busybox:latest';
const ROOT = join(__dirname, '..', '..');
const SHOTS = join(__dirname, '..', 'screenshots');
const INJECTOR = join(__dirname, '..', 'fixtures', 'fault-injector');
const PROBE = join(__dirname, '..', 'helpers', 'agent-call-probe.ts');
/** How long the cost test counts; printed per minute. */
const COST_WINDOW_MS = 20_000;

const item = (s: StandinSnapshot, id: string) => find(s.tray?.menu, (i) => i.id === id);
const statusOf = (menu: RecordedItem[] | undefined) => find(menu, (i) => i.id === 'status')?.label ?? '';
const calls = (s: StandinSnapshot, api: string) => s.calls.filter((c) => c.api === api);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the menu-bar app under the Electron stand-in, against a real VM', () => {
  const root = mkdtempSync(join(tmpdir(), 'berth-tray-'));
  // The app's own HOME: the login item's autostart folder and Electron's paths land here.
  const home = join(root, 'home');
  const berthHome = join(home, '.berth');
  const faultFile = join(root, 'fault');
  const faultLog = join(root, 'fault.log');
  const env = hermeticEnv({
    HOME: home,
    BERTH_HOME: berthHome,
    XDG_CONFIG_HOME: join(home, '.config'),
    // The guest image the build cached under the real HOME (the app's HOME is a temp one).
    BERTH_VM_ASSETS: defaultAssetsDir(hermeticEnv()),
    // The test's fault injector stands first on PATH; it runs the real QEMU unless faultFile names a fault.
    PATH: `${INJECTOR}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    BERTH_FAULT_FILE: faultFile,
    BERTH_FAULT_LOG: faultLog,
  });
  const berth = berthCli({ BERTH_HOME: berthHome });
  const docker = dockerCli({ DOCKER_HOST: `unix://${join(berthHome, 'docker.sock')}` });
  const launch = () => StandinApp.launch({ env, args: ['--hidden'], probes: [PROBE] });
  const boots = () =>
    existsSync(faultLog)
      ? readFileSync(faultLog, 'utf8')
          .split('\n')
          .filter((l) => / (boot|exit-boot) /.test(l)).length
      : 0;
  const qemuPid = () => livePid(join(berthHome, 'vm', 'qemu.pid'));
  const pictures: Partial<Record<'stopped' | 'starting' | 'running' | 'error', RecordedItem[]>> = {};
  let app: StandinApp;
  let port = 0;
  let win = 0;

  beforeEach(dumpLogsOnFailure(berthHome));
  afterEach(async () => {
    // Every unhandled error in the app's main code, and every Electron member it used that the stand-in lacks, fails the test.
    if (app.child.exitCode === null) expect((await app.snapshot()).failures).toEqual([]);
  });

  beforeAll(() => {
    mkdirSync(berthHome, { recursive: true, mode: 0o700 });
    mkdirSync(SHOTS, { recursive: true });
    // A user who has not asked for the VM at launch; Start comes from the menu.
    writeFileSync(join(berthHome, 'settings.json'), JSON.stringify({ startVmOnLaunch: false }));
    writeFileSync(faultFile, '');
    app = launch();
  });

  afterAll(async () => {
    app?.kill();
    berth(['stop'], { timeoutMs: 60_000 });
    const agent = livePid(join(berthHome, 'agent.pid'));
    if (agent) signal(agent, 'SIGKILL');
    rmSync(root, { recursive: true, force: true });
  });

  test('launched hidden with a fresh BERTH_HOME: no window, the stopped icon, Start on offer', async () => {
    const s = await app.until((x) => statusOf(x.tray?.menu) !== '', 30_000);
    expect(s.windows).toEqual([]);
    expect(s.tray?.image).toBe('tray-stoppedTemplate.png');
    expect(statusOf(s.tray?.menu)).toBe('Berth is stopped');
    expect(item(s, 'start')).toMatchObject({ label: 'Start', enabled: true, clickable: true });
    expect(item(s, 'stop')?.enabled).toBe(false);
    pictures.stopped = s.tray!.menu;
  });

  test('a VM error shows one notification, and a second error within ten minutes shows none', async () => {
    writeFileSync(faultFile, 'exit-at-boot');
    const isError = (x: StandinSnapshot) => x.tray?.image === 'tray-errorTemplate.png' && /could not start/.test(statusOf(x.tray?.menu));
    await app.click('start');
    let s = await app.until(isError, 120_000);
    expect(isError(s)).toBe(true);
    expect(calls(s, 'Notification.show')).toHaveLength(1);
    expect(calls(s, 'Notification.show')[0].args[0]).toMatchObject({ title: 'Berth', body: expect.stringMatching(/could not start/) });
    pictures.error = s.tray!.menu;

    const before = boots();
    await app.click('start');
    expect(await until(() => boots() > before, 60_000)).toBe(true);
    s = await app.until(isError, 120_000);
    await sleep(1500); // a wrong second notification would come with the state event
    expect(calls(await app.snapshot(), 'Notification.show')).toHaveLength(1);
    writeFileSync(faultFile, '');
  });

  test('Start in the menu passes through starting, with the boot stage, to running; the socket answers', async () => {
    const t0 = Date.now();
    await app.click('start');
    const s = await app.until((x) => x.tray?.image === 'tray-runningTemplate.png' && /^Berth is running/.test(statusOf(x.tray?.menu)), 300_000, 250);
    expect(statusOf(s.tray?.menu)).toMatch(/^Berth is running/);
    const starting = s.trayHistory.filter((h) => h.at >= t0 && h.image === 'tray-startingTemplate.png' && /^Starting… \(.+\)$/.test(statusOf(h.menu)));
    expect(starting.length).toBeGreaterThan(0);
    pictures.starting = (starting.filter((h) => !/\(ready\)/.test(statusOf(h.menu))).at(-1) ?? starting[starting.length - 1]).menu;
    console.log(`tray status lines while starting: ${[...new Set(starting.map((h) => statusOf(h.menu)))].join(' | ')}`);
    const v = docker(['version', '--format', '{{.Server.Version}}']);
    expect(v.status, v.stderr).toBe(0);
    expect(importBusybox((tar) => docker(['import', tar, IMG])).status).toBe(0);
  });

  test('a container started from the CLI appears in the Containers submenu within 2 s; Open localhost records the URL', async () => {
    port = await freeLoopbackPort();
    const r = docker(['run', '-d', '--name', 'tray-web', '-p', `${port}:80`, IMG, 'httpd', '-f', '-p', '80']);
    const t0 = Date.now();
    expect(r.status, r.stderr).toBe(0);
    const s = await app.until((x) => !!find(item(x, 'containers')?.submenu, (i) => i.label === 'tray-web'), 2000, 50);
    const entry = find(item(s, 'containers')?.submenu, (i) => i.label === 'tray-web');
    expect(entry, 'tray-web in the Containers submenu').toBeDefined();
    console.log(`tray-web appeared in the tray ${Date.now() - t0} ms after docker run returned`);
    expect(statusOf(s.tray?.menu)).toBe('Berth is running · 1 container');
    pictures.running = s.tray!.menu;
    const open = find(entry!.submenu, (i) => i.label === `Open localhost:${port}`);
    expect(open?.id).toBeDefined();
    await app.click(open!.id!);
    const after = await app.until((x) => calls(x, 'shell.openExternal').length > 0, 5000);
    expect(calls(after, 'shell.openExternal').map((c) => c.args[0])).toEqual([`http://localhost:${port}/`]);
  });

  test('Open Dashboard shows a window that lists the container through window.berth (the real preload)', async () => {
    await app.click('dashboard');
    let s = await app.until((x) => x.windows.length === 1 && x.windows[0].visible && !!x.windows[0].url, 15_000);
    expect(s.windows).toHaveLength(1);
    win = s.windows[0].id;
    expect(await app.evaluate(win, 'typeof window.berth')).toBe('object');
    expect(await until(async () => (await app.evaluate<string>(win, 'document.body.innerText')).includes('tray-web'), 30_000)).toBe(true);
    s = await app.snapshot();
    // The list came over Electron IPC, through the preload and ipcMain, not over the dashboard server's WebSocket.
    expect(s.ipcInvokes['berth:call:containers.list']).toBeGreaterThan(0);
    expect(s.windows[0].url).toBe(`file://${join(ROOT, 'dist', 'renderer', 'index.html')}`);
  });

  test('the page cannot navigate away or open windows, and its CSP header is present and enforced', async () => {
    await app.evaluate(win, "location.href = 'https://example.com/'; 1");
    await app.evaluate(win, "String(window.open('https://example.com/popup'))").then((v) => expect(v).toBe('null'));
    await app.evaluate(win, `String(window.open('http://localhost:${port}/from-page'))`);
    const s = await app.until((x) => x.windows[0].navigations.length > 0 && x.windows[0].windowOpens.length === 2, 10_000);
    expect(s.windows[0].navigations).toEqual([{ url: 'https://example.com/', prevented: true }]);
    expect(s.windows[0].windowOpens).toEqual([
      { url: 'https://example.com/popup', action: 'deny' },
      { url: `http://localhost:${port}/from-page`, action: 'deny' },
    ]);
    // A localhost link goes to the default browser instead; nothing else does.
    expect(calls(s, 'shell.openExternal').map((c) => c.args[0])).toEqual([`http://localhost:${port}/`, `http://localhost:${port}/from-page`]);
    expect(s.windows).toHaveLength(1);
    expect(await app.evaluate(win, 'location.href')).toMatch(/^file:.*\/dist\/renderer\/index\.html$/);
    expect(s.windows[0].mainFrameHeaders?.['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    const violated = await app.evaluate<string>(win, INLINE_SCRIPT_PROBE);
    expect(violated).toMatch(/^script-src/);
  });

  test('closing the dashboard hides it, and reopening reuses the same window', async () => {
    expect(await app.request('close-window', { window: win })).toBe(false);
    let s = await app.snapshot();
    expect(s.windows[0]).toMatchObject({ visible: false, destroyed: false });
    expect(s.windows[0].events.slice(-2)).toEqual(['close', 'hide']);
    await app.click('dashboard');
    s = await app.until((x) => x.windows[0].visible, 5000);
    expect(s.windows.map((w) => w.id)).toEqual([win]);
    expect(s.windows[0].events.filter((e) => e.startsWith('load:'))).toHaveLength(1);
  });

  test('Start at Login writes and removes the XDG autostart file; Copy export DOCKER_HOST fills the clipboard', async () => {
    const desktop = join(home, '.config', 'autostart', 'berth.desktop');
    await app.click('start-at-login');
    let s = await app.until((x) => item(x, 'start-at-login')?.checked === true, 5000);
    expect(item(s, 'start-at-login')?.checked).toBe(true);
    // Unpacked, the login launch runs the runtime with the app's entry script, hidden.
    expect(readFileSync(desktop, 'utf8')).toContain(`\nExec=${process.execPath} ${APP_MAIN} --hidden\n`);
    await app.click('start-at-login');
    s = await app.until((x) => item(x, 'start-at-login')?.checked === false, 5000);
    expect(item(s, 'start-at-login')?.checked).toBe(false);
    expect(existsSync(desktop)).toBe(false);

    await app.click('copy-docker-host');
    s = await app.until((x) => calls(x, 'clipboard.writeText').length > 0, 5000);
    expect(calls(s, 'clipboard.writeText').map((c) => c.args[0])).toEqual([exportDockerHost(`unix://${join(berthHome, 'docker.sock')}`)]);
  });

  test('cost: with the dashboard on Containers and a busy container, the tray rebuilds only on changes', async () => {
    expect(docker(['run', '-d', '--name', 'tray-busy', IMG, 'sh', '-c', 'while :; do :; done']).status).toBe(0);
    await app.until((x) => !!find(item(x, 'containers')?.submenu, (i) => i.label === 'tray-busy'), 10_000);
    await app.click('dashboard');
    await sleep(3000); // the list change settles; stats start streaming to the page
    const a = await app.snapshot();
    await sleep(COST_WINDOW_MS);
    const b = await app.snapshot();
    const perMinute = (n: number) => ((n * 60_000) / COST_WINDOW_MS).toFixed(1);
    const before = a.probes.agentCalls as Record<string, number>;
    const afterCalls = b.probes.agentCalls as Record<string, number>;
    const byRoute = Object.entries(afterCalls)
      .map(([r, n]) => [r, n - (before[r] ?? 0)] as const)
      .filter(([, n]) => n > 0);
    const rebuilds = b.tray!.menuRebuilds - a.tray!.menuRebuilds;
    const statsFrames = (b.ipcInvokes['berth:call:stats.watch'] ?? 0) > 0;
    console.log(
      `tray cost over ${COST_WINDOW_MS / 1000} s: ${perMinute(rebuilds)} menu rebuilds/min; agent calls/min: ${perMinute(byRoute.reduce((t, [, n]) => t + n, 0))} (${byRoute.map(([r, n]) => `${r} ${perMinute(n)}`).join(', ') || 'none'}); page watching stats: ${statsFrames}`,
    );
    // The probe saw the app's calls (the launch's status, containers, settings), so a zero above is real.
    expect(Object.values(afterCalls).reduce((t, n) => t + n, 0)).toBeGreaterThan(0);
    expect(statsFrames, JSON.stringify(b.ipcInvokes)).toBe(true);
    expect(rebuilds).toBe(0);
  });

  test('the recorded tray menu in each state, as pictures', async () => {
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
    try {
      const page = await browser.newPage({ deviceScaleFactor: 2 });
      for (const [state, menu] of Object.entries(pictures)) {
        const out = join(SHOTS, `tray-${state}.png`);
        const web = find(menu, (i) => i.label === 'tray-web')?.id;
        await drawMenu(page, menu, join(ROOT, 'assets', `tray-${state}Template@2x.png`), out, {
          open: state === 'running' && web ? ['containers', web] : [],
          relabel: (label) => label.replace(berthHome, '~/.berth'),
        });
        expect(readFileSync(out).length).toBeGreaterThan(1000);
      }
    } finally {
      await browser.close();
    }
    expect(Object.keys(pictures).sort()).toEqual(['error', 'running', 'starting', 'stopped']);
  });

  test('Quit with "stop VM on quit" off leaves the VM running, and a new launch attaches to it', async () => {
    const reply = await app.evaluate<{ ok: boolean }>(win, "window.berth['settings.update']({ stopVmOnQuit: false })");
    expect(reply.ok).toBe(true);
    const qemu = qemuPid();
    expect(qemu).toBeDefined();
    const bootsBefore = boots();
    await app.click('quit');
    expect(await app.exited).toBe(0);
    expect(alive(qemu!)).toBe(true);
    expect(docker(['version', '--format', '{{.Server.Version}}']).status).toBe(0);

    app = launch();
    const s = await app.until((x) => x.tray?.image === 'tray-runningTemplate.png', 30_000);
    expect(statusOf(s.tray?.menu)).toMatch(/^Berth is running/);
    expect(s.windows).toEqual([]);
    expect(qemuPid()).toBe(qemu);
    expect(boots()).toBe(bootsBefore);
  });

  test('Quit with "stop VM on quit" on stops the VM, leaves no QEMU, and exits 0', async () => {
    const set = berth(['config', 'set', 'stopVmOnQuit', 'true']);
    expect(set.status, set.stderr).toBe(0);
    const qemu = qemuPid()!;
    expect(qemu).toBeDefined();
    expect((await app.snapshot()).failures).toEqual([]);
    await app.click('quit');
    expect(await app.exited).toBe(0);
    expect(await until(() => !alive(qemu), 30_000)).toBe(true);
    expect(docker(['version']).status).not.toBe(0);
  });
});
