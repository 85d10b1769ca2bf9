/**
 * Other engines through Docker contexts, for real: a Berth VM with its own
 * BERTH_HOME plays the remote engine, reached as a tcp context with its TLS
 * files and as an ssh:// context through a local sshd whose logins reach that
 * engine. Everything listens on 127.0.0.1. The contexts are made by the real
 * docker CLI in a DOCKER_CONFIG of the test's own, and must be byte-identical
 * after Berth has read them.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { freeLoopbackPort } from '../../main/common/free-port';
import type { EngineReach } from '../../main/engine/context-probe';
import { berthCli, dumpLogsOnFailure, livePid, signal, stopAndClean } from '../helpers/berth-cli';
import { importBusybox } from '../helpers/busybox-image';
import { dockerCli } from '../helpers/docker-cli';
import { storeFingerprint } from '../helpers/context-fingerprint';
import { type LocalSshd, startLocalSshd } from '../helpers/local-sshd';
import { launchTrayApp, openDashboard, trayLabels } from '../helpers/engine-views';
import { readContextStore } from '../../main/engine/context-store';
import type { StandinApp } from '../electron-standin/launch';
import type { Page } from 'playwright-core';

const IMG = 'berth-test/busybox:latest';
const SHOTS = join(__dirname, '..', 'screenshots');

describe('other engines through Docker contexts, against a real VM', () => {
  const home = mkdtempSync(join(tmpdir(), 'berth-remote-'));
  const contexts = mkdtempSync(join(tmpdir(), 'berth-contexts-'));
  beforeEach(dumpLogsOnFailure(home));
  const berth = berthCli({ BERTH_HOME: home, DOCKER_CONFIG: join(home, 'docker-config') });
  const docker = dockerCli({ DOCKER_HOST: `unix://${join(home, 'docker.sock')}` });
  /** The docker CLI on the test's own context store. */
  const contextCli = (...args: string[]) => spawnSync('docker', args, { env: { PATH: process.env.PATH, HOME: contexts, DOCKER_CONFIG: contexts }, encoding: 'utf8' });
  let sshd: LocalSshd;
  /** `berth engines --json` as a user with that context store and that ssh command would run it. */
  const engines = () => {
    const r = berth(['engines', '--json'], { extraEnv: { DOCKER_CONFIG: contexts, BERTH_SSH_COMMAND: sshd.sshCommand }, timeoutMs: 60_000 });
    if (r.status !== 0) throw new Error(`berth engines failed: ${r.stderr}`);
    return (JSON.parse(r.stdout) as { engines: EngineReach[] }).engines;
  };
  const byName = (list: EngineReach[], name: string) => list.find((e) => e.name === name)!;
  /** The local side: a tray app and a dashboard with Berth homes of their own (their VMs never started). */
  const views = mkdtempSync(join(tmpdir(), 'berth-views-'));
  const user = () => ({ DOCKER_CONFIG: contexts, BERTH_SSH_COMMAND: sshd.sshCommand });
  let app: StandinApp | undefined;
  let dashboard: { stop(): Promise<void>; page: Page } | undefined;
  /** The local Berth beside the remote: the dashboard's own, booted, so a remote going away can be seen not to touch it. */
  const localHome = join(views, 'dashboard', 'berth');
  const localBerth = berthCli({ BERTH_HOME: localHome, DOCKER_CONFIG: join(views, 'dashboard', 'docker-config') });

  beforeAll(async () => {
    const enginePort = await freeLoopbackPort();
    expect(berth(['config', 'set', 'enginePort', String(enginePort)]).status).toBe(0);
    const r = berth(['start'], { timeoutMs: 400_000 });
    if (r.status !== 0) throw new Error(`berth start failed: ${r.stderr}`);
    expect(importBusybox((tar) => docker(['import', tar, IMG])).status).toBe(0);
    sshd = await startLocalSshd(join(home, 'ssh'), `unix://${join(home, 'docker.sock')}`);
    const tls = join(home, 'vm', 'tls');
    const made = [
      contextCli(
        'context',
        'create',
        'remote-tls',
        '--description',
        'the second VM over TLS',
        '--docker',
        `host=tcp://127.0.0.1:${enginePort},ca=${tls}/ca.pem,cert=${tls}/cert.pem,key=${tls}/key.pem`,
      ),
      contextCli('context', 'create', 'remote-ssh', '--docker', `host=${sshd.endpoint}`),
      contextCli('context', 'create', 'nowhere', '--docker', `host=tcp://127.0.0.1:${await freeLoopbackPort()}`),
      contextCli('context', 'use', 'remote-tls'),
    ];
    for (const m of made) expect(m.status, m.stderr).toBe(0);
  }, 600_000);

  afterAll(async () => {
    app?.kill();
    await dashboard?.stop();
    sshd?.stop();
    // An agent the tray app or the dashboard may have started for their own (never booted) homes.
    const trayAgent = livePid(join(views, 'tray', 'home', '.berth', 'agent.pid'));
    if (trayAgent) signal(trayAgent, 'SIGKILL');
    stopAndClean(localHome, localBerth);
    stopAndClean(home, berth, contexts, views);
  });

  test('every context is listed; the remote answers over TLS and over ssh with its version and containers; reading changed nothing', () => {
    expect(docker(['run', '-d', '--name', 'remote-web', IMG, 'sleep', '600']).status).toBe(0);
    const version = docker(['version', '--format', '{{.Server.Version}}']).stdout.trim();
    const before = storeFingerprint(contexts);
    const list = engines();
    expect(storeFingerprint(contexts)).toEqual(before);
    expect(list.map((e) => e.name)).toEqual(['default', 'nowhere', 'remote-ssh', 'remote-tls']);
    expect(byName(list, 'remote-tls')).toMatchObject({ current: true, kind: 'tcp', hasTls: true, reachable: true, engineVersion: version, running: 1, description: 'the second VM over TLS' });
    expect(byName(list, 'remote-ssh')).toMatchObject({ current: false, kind: 'ssh', reachable: true, engineVersion: version, running: 1 });
    expect(byName(list, 'nowhere')).toMatchObject({ reachable: false });
    expect(byName(list, 'nowhere').error).toMatch(/ECONNREFUSED/);
  });

  test('the table marks the current context and says why one is unreachable', () => {
    const r = berth(['engines'], { extraEnv: { DOCKER_CONFIG: contexts, BERTH_SSH_COMMAND: sshd.sshCommand }, timeoutMs: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+ENDPOINT\s+STATE\s+VERSION\s+RUNNING\s+ERROR$/);
    expect(lines.find((l) => l.startsWith('remote-tls *'))).toMatch(/reachable\s+\S+\s+1$/);
    expect(lines.find((l) => l.startsWith('nowhere'))).toMatch(/unreachable.*ECONNREFUSED/);
  });

  test("the tray lists each engine with its containers; Use for the Shell switches only after the confirmation's yes", async () => {
    app = launchTrayApp(join(views, 'tray'), user(), 'Use “remote-ssh”');
    const wanted = ['remote-tls · 1 running · shell', 'remote-ssh · 1 running', 'nowhere · unreachable'];
    const shown = await app.until((s) => wanted.every((w) => trayLabels(s, 'engines').includes(w)), 30_000);
    expect(trayLabels(shown, 'engines')).toEqual(expect.arrayContaining(wanted));
    expect(trayLabels(shown, 'engine:remote-tls')).toContain('remote-web');
    expect(trayLabels(shown, 'engine:nowhere').join('\n')).toMatch(/^Unreachable: .*ECONNREFUSED/m);
    await app.click('engine:remote-ssh:use');
    const asked = await app.until((s) => s.calls.some((c) => c.api === 'dialog.showMessageBox'), 10_000);
    expect(JSON.stringify(asked.calls.find((c) => c.api === 'dialog.showMessageBox')?.args)).toContain('Use the Docker context “remote-ssh” for the shell?');
    await expect.poll(() => readContextStore(contexts).current, { timeout: 10_000 }).toBe('remote-ssh');
    expect(contextCli('context', 'show').stdout.trim()).toBe('remote-ssh');
    // The menu says so at once, not at the next probe (30 s over ssh).
    const after = await app.until((s) => trayLabels(s, 'engines').includes('remote-ssh · 1 running · shell'), 5_000);
    expect(trayLabels(after, 'engine:remote-ssh')).toContain('Used by the Shell');
    expect(contextCli('context', 'use', 'remote-tls').status).toBe(0);
    app.kill();
    app = undefined;
    const trayAgent = livePid(join(views, 'tray', 'home', '.berth', 'agent.pid'));
    if (trayAgent) signal(trayAgent, 'SIGKILL');
  });

  test('the dashboard shows the remote through its switcher and acts there, with the VM-only parts absent', async () => {
    const before = storeFingerprint(contexts);
    const up = localBerth(['start'], { timeoutMs: 400_000 });
    expect(up.status, up.stderr).toBe(0);
    dashboard = await openDashboard(join(views, 'dashboard'), user());
    const { page } = dashboard;
    await page.getByTestId('vm-state').filter({ hasText: 'running' }).waitFor({ timeout: 30_000 });
    const select = page.getByLabel('Engine');
    await expect.poll(() => select.locator('option').allTextContents(), { timeout: 20_000 }).toContain('remote-tls (1 running) · shell');
    await select.selectOption('remote-tls');
    await page.getByTestId('container-remote-web').getByText('running', { exact: true }).waitFor({ timeout: 15_000 });
    expect(await page.getByRole('button', { name: 'Stop', exact: true }).count()).toBe(0);
    expect(await page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: 'Resources' }).count()).toBe(0);
    // Stats and images come from the remote too: a memory figure for its container, its busybox image.
    await expect.poll(async () => (await page.getByTestId('container-remote-web').getByTestId('memory').textContent()) ?? '', { timeout: 15_000 }).toMatch(/\d/);
    // The README's picture of the switcher, as a person sees it with the remote chosen.
    mkdirSync(SHOTS, { recursive: true });
    await page
      .getByTestId('engine-note')
      .filter({ hasText: /^Docker / })
      .waitFor({ timeout: 15_000 });
    await page.screenshot({ path: join(SHOTS, 'engines-light.png') });
    copyFileSync(join(SHOTS, 'engines-light.png'), join(__dirname, '..', '..', 'assets', 'screenshot-engines.png'));
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: 'Images', exact: true }).click();
    await page.getByTestId('image-row').filter({ hasText: IMG }).waitFor({ timeout: 15_000 });
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: 'Containers', exact: true }).click();
    // A terminal in the remote's container: the exec runs there.
    await page.getByTestId('container-remote-web').getByRole('button', { name: 'remote-web', exact: true }).click();
    await page.getByRole('button', { name: 'Terminal', exact: true }).click();
    const term = page.getByRole('region', { name: 'Terminal 1' });
    await term.locator('.xterm-helper-textarea').pressSequentially('echo $((6*7)) > /tmp/from-remote-terminal\n');
    await expect.poll(() => docker(['exec', 'remote-web', 'cat', '/tmp/from-remote-terminal']).stdout.trim(), { timeout: 15_000 }).toBe('42');
    await page.getByRole('button', { name: 'Close', exact: true }).click();
    await page.getByRole('button', { name: 'Stop remote-web' }).click();
    await expect.poll(() => docker(['inspect', '-f', '{{.State.Running}}', 'remote-web']).stdout.trim(), { timeout: 30_000 }).toBe('false');
    // The remote's own events bring the change back to the page.
    await page.getByTestId('container-remote-web').getByText('exited', { exact: true }).waitFor({ timeout: 15_000 });
    expect(docker(['start', 'remote-web']).status).toBe(0);
    await select.selectOption('remote-ssh');
    await page.getByTestId('container-remote-web').getByText('running', { exact: true }).waitFor({ timeout: 20_000 });
    await select.selectOption('remote-tls');
    expect(storeFingerprint(contexts)).toEqual(before);
  });

  test('a stopped remote is unreachable within 10 s, over both routes, in the CLI and the dashboard', async () => {
    expect(berth(['stop'], { timeoutMs: 120_000 }).status).toBe(0);
    const t0 = Date.now();
    const list = engines();
    const ms = Date.now() - t0;
    expect(byName(list, 'remote-tls').reachable).toBe(false);
    expect(byName(list, 'remote-ssh').reachable).toBe(false);
    console.log(`engines listed ${ms} ms after the remote stopped (goal < 10000 ms): tls "${byName(list, 'remote-tls').error}", ssh "${byName(list, 'remote-ssh').error}"`);
    expect(ms).toBeLessThan(10_000);
    const page = dashboard!.page;
    await page
      .getByTestId('engine-note')
      .filter({ hasText: /^unreachable: / })
      .waitFor({ timeout: 10_000 - (Date.now() - t0) });
    console.log(`the dashboard showed remote-tls unreachable ${Date.now() - t0} ms after the remote stopped`);
    // The local VM did not notice: still running, its own (empty) list shown again at a switch back.
    expect(await page.getByTestId('vm-state').textContent()).toBe('running');
    await page.getByLabel('Engine').selectOption('');
    await page.getByText('No containers yet.', { exact: false }).waitFor({ timeout: 15_000 });
    expect(JSON.parse(localBerth(['status', '--json']).stdout).state).toBe('running');
  });
});
