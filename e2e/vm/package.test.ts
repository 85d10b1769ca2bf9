/**
 * The packaged app. `npm run package:dir`'s work (scripts/package.ts --dir, a
 * stub Electron distribution) runs once for the suite, here; its layout is
 * checked, then its main runs under the ELECTRON STAND-IN as a packaged app
 * (app.isPackaged, process.resourcesPath = the package's resources): Start
 * boots the guest image inside the package, with QEMU found in a known
 * location while PATH has none; the dashboard loads through the preload; Quit
 * stops the VM.
 */
import { listPackage } from '@electron/asar';
import { FuseV1Options, getCurrentFuseWire } from '@electron/fuses';
import { FuseState } from '@electron/fuses/dist/constants';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { appLayout } from '../../main/common/app-layout';
import { sha256File, type AssetManifest } from '../../main/vm/assets';
import { findExecutable } from '../../main/common/executables';
import { StandinApp } from '../electron-standin/launch';
import { readableResources } from '../electron-standin/packaged-resources';
import { findRecorded, type StandinSnapshot } from '../electron-standin/record';
import { alive, berthCli, dumpLogsOnFailure, hermeticEnv, livePid, signal, until } from '../helpers/berth-cli';
import { dockerCli } from '../helpers/docker-cli';
import { VM_STATES as TRAY_STATES } from '../../main/vm/vm-state';

const ROOT = join(__dirname, '..', '..');
const RELEASE = join(ROOT, 'release');
const statusOf = (s: StandinSnapshot) => findRecorded(s.tray?.menu, (i) => i.id === 'status')?.label ?? '';

describe('the packaged app (electron-builder --dir with a stub Electron)', () => {
  const root = mkdtempSync(join(tmpdir(), 'berth-pkg-'));
  const home = join(root, 'home');
  const berthHome = join(home, '.berth');
  let resources = '';
  let app: StandinApp;

  beforeEach(dumpLogsOnFailure(berthHome));

  beforeAll(() => {
    const tsx = join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
    const r = spawnSync(process.execPath, [tsx, 'scripts/package.ts', '--dir'], { cwd: ROOT, env: hermeticEnv(), encoding: 'utf8', timeout: 600_000 });
    if (r.status !== 0) throw new Error(`packaging failed (${r.status}):\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
    const unpacked = readdirSync(RELEASE).find((d) => d.endsWith('-unpacked'));
    if (!unpacked) throw new Error(`no release/*-unpacked after packaging; release/ holds ${readdirSync(RELEASE).join(', ')}`);
    resources = join(RELEASE, unpacked, 'resources');
  }, 600_000);

  afterAll(() => {
    app?.kill();
    berthCli({ BERTH_HOME: berthHome })(['stop'], { timeoutMs: 60_000 });
    const agent = livePid(join(berthHome, 'agent.pid'));
    if (agent) signal(agent, 'SIGKILL');
    rmSync(root, { recursive: true, force: true });
  });

  test("the binary's fuses: no NODE_OPTIONS, no --inspect; run-as-node kept for the agent", async () => {
    const exe = join(resources, '..', 'berth');
    const wire = await getCurrentFuseWire(exe);
    expect(wire[FuseV1Options.EnableNodeOptionsEnvironmentVariable]).toBe(FuseState.DISABLE);
    expect(wire[FuseV1Options.EnableNodeCliInspectArguments]).toBe(FuseState.DISABLE);
    expect(wire[FuseV1Options.RunAsNode]).toBe(FuseState.ENABLE);
    // Left as Electron ships it: the renderer's module scripts load from file://.
    expect(wire[FuseV1Options.GrantFileProtocolExtraPrivileges]).toBe(FuseState.ENABLE);
  });

  test('the package holds the guest image its manifest lists, the renderer and preload in app.asar, and the tray icons', () => {
    const manifest = JSON.parse(readFileSync(join(resources, 'vm-assets', 'manifest.json'), 'utf8')) as AssetManifest;
    expect(Object.keys(manifest.artifacts).length).toBeGreaterThan(0);
    for (const [name, a] of Object.entries(manifest.artifacts)) expect(sha256File(join(resources, 'vm-assets', name)), name).toBe(a.sha256);

    const inAsar = new Set(listPackage(join(resources, 'app.asar'), { isPack: false }).map((p) => p.replace(/\\/g, '/')));
    for (const f of ['/dist/renderer/index.html', '/dist/preload.js', '/dist/main/app/index.js', '/dist/main/cli/index.js', '/package.json']) expect(inAsar.has(f), f).toBe(true);
    expect([...inAsar].some((f) => /\.test\.js$/.test(f))).toBe(false);
    for (const state of TRAY_STATES) expect(existsSync(join(resources, 'assets', `tray-${state}Template.png`)), state).toBe(true);

    // The paths the packaged main computes are the ones the package has.
    const layout = appLayout({ packaged: true, resourcesPath: resources, appRoot: '/not/used' });
    expect(inAsar.has(`${layout.renderer.slice(join(resources, 'app.asar').length)}/index.html`)).toBe(true);
    expect(inAsar.has(layout.preload.slice(join(resources, 'app.asar').length))).toBe(true);
    expect(inAsar.has(layout.cliEntry.slice(join(resources, 'app.asar').length))).toBe(true);
    expect(existsSync(join(layout.vmAssets!, 'manifest.json'))).toBe(true);
    expect(existsSync(join(layout.trayIcons, 'tray-runningTemplate.png'))).toBe(true);
  });

  test('launched packaged, with no QEMU on PATH and no build cache: Start boots the package’s guest with QEMU from a known location', async () => {
    // A "known location" of the test's own: links to the real QEMU, as Homebrew's folder would hold it.
    const known = join(root, 'known-qemu');
    mkdirSync(known);
    for (const tool of ['qemu-system-x86_64', 'qemu-img']) symlinkSync(findExecutable(tool)!, join(known, tool));
    // launchd's PATH has no QEMU on a Mac; on this Debian host /usr/bin has it, so an empty folder plays that PATH.
    const emptyBin = join(root, 'empty-bin');
    mkdirSync(emptyBin);
    mkdirSync(berthHome, { recursive: true, mode: 0o700 });
    app = StandinApp.launch({
      main: join(readableResources(resources, join(root, 'resources')), 'app.asar', 'dist', 'main', 'app', 'index.js'),
      resources: join(root, 'resources'),
      args: ['--hidden'],
      env: hermeticEnv({
        HOME: home,
        BERTH_HOME: berthHome,
        XDG_CONFIG_HOME: join(home, '.config'),
        // No build cache: the only guest image is the package's, found only if the main knows it is packaged.
        XDG_CACHE_HOME: join(home, '.cache'),
        PATH: emptyBin,
        SHELL: '/bin/false',
        BERTH_QEMU_SEARCH_PATH: known,
      }),
    });
    let s = await app.until((x) => statusOf(x) !== '', 30_000);
    if (s.tray?.image !== 'tray-runningTemplate.png') {
      // "start VM on launch" is on by default; Start from the menu if it has not begun.
      if (findRecorded(s.tray?.menu, (i) => i.id === 'start')?.enabled) await app.click('start');
      s = await app.until((x) => x.tray?.image === 'tray-runningTemplate.png' || x.tray?.image === 'tray-errorTemplate.png', 300_000, 250);
    }
    expect(statusOf(s)).toMatch(/^Berth is running/);
    const agentLog = readFileSync(join(berthHome, 'logs', 'agent.log'), 'utf8');
    expect(agentLog).toContain(`vm: using QEMU from ${known} (known location)`);
    expect(readFileSync(join(berthHome, 'vm', 'qemu.pid'), 'utf8')).toBeTruthy();
    const cmdline = readFileSync(`/proc/${livePid(join(berthHome, 'vm', 'qemu.pid'))}/cmdline`, 'utf8');
    expect(cmdline).toContain(join(root, 'resources', 'vm-assets'));
    const docker = dockerCli({ DOCKER_HOST: `unix://${join(berthHome, 'docker.sock')}` });
    expect(docker(['version', '--format', '{{.Server.Version}}']).status).toBe(0);
    expect(s.failures).toEqual([]);
  });

  test('the packaged dashboard loads its page through the preload', async () => {
    await app.click('dashboard');
    const s = await app.until((x) => x.windows.length === 1 && x.windows[0].visible && !!x.windows[0].url, 15_000);
    const win = s.windows[0];
    expect(win.url).toBe(`file://${join(root, 'resources', 'app.asar', 'dist', 'renderer', 'index.html')}`);
    expect(await app.evaluate(win.id, 'typeof window.berth')).toBe('object');
    expect(await until(async () => /Containers/.test(await app.evaluate<string>(win.id, 'document.body.innerText')), 15_000)).toBe(true);
    expect((await app.snapshot()).ipcInvokes['berth:call:vm.status']).toBeGreaterThan(0);
    expect((await app.snapshot()).failures).toEqual([]);
  });

  test('Quit stops the VM and exits 0', async () => {
    const qemu = livePid(join(berthHome, 'vm', 'qemu.pid'))!;
    await app.click('quit');
    expect(await app.exited).toBe(0);
    expect(await until(() => !alive(qemu), 30_000)).toBe(true);
  });
});
