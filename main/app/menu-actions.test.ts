import { describe, expect, test } from 'vitest';
import { CALL_NAMES } from '../contract/berth-api';
import type { BerthHandlers } from '../contract/dispatcher';
import { menuActionRunner } from './menu-actions';
import { findItem, trayMenu } from './tray-menu';

/** Fake Electron pieces and recording handlers, injected (no global patching). */
function rig(answer = 1) {
  const calls: string[] = [];
  const handlers = Object.fromEntries(
    CALL_NAMES.map((n) => [
      n,
      async (...args: unknown[]) => (
        calls.push(`${n}(${args.map((a) => (typeof a === 'object' ? JSON.stringify(a) : a)).join(',')})`),
        n === 'loginItem.get' ? { enabled: false, needsApproval: false } : n === 'settings.get' ? { idleSleep: true } : null
      ),
    ]),
  ) as unknown as BerthHandlers;
  const fake = { clipboard: [] as string[], opened: [] as string[], quit: 0, shown: 0, refreshed: 0, asked: [] as string[] };
  const run = menuActionRunner({
    handlers,
    electron: {
      clipboard: { writeText: (t) => void fake.clipboard.push(t) },
      shell: { openPath: async (p) => (fake.opened.push(p), '') },
      app: { quit: () => void fake.quit++ },
      dialog: {
        showMessageBox: async (o) => {
          fake.asked.push(`${o.message} [${o.buttons.join('|')}]`);
          return { response: answer };
        },
      },
    },
    dashboard: { show: () => void fake.shown++ },
    logsDir: '/home/u/.berth/logs',
    dockerHost: () => 'unix:///home/u/.berth/docker.sock',
    refresh: () => void fake.refreshed++,
  });
  return { calls, fake, run };
}

const menu = trayMenu({
  state: 'running',
  containers: [{ id: 'c1', name: 'web', image: 'i', state: 'running', status: 'Up', created: 0, ports: [{ host: 8080, container: 80, proto: 'tcp' }] }],
  loginItem: { enabled: false, needsApproval: false },
  accelFallback: 'Running with software emulation (slow): hvf failed at launch: HV error',
  idleSleep: true,
  dockerHost: 'unix:///home/u/.berth/docker.sock',
  engines: [{ name: 'box', host: 'tcp://box.example:2376', kind: 'tcp', skipTlsVerify: false, current: false, hasTls: true, reachable: true, running: 1, runningNames: ['api'] }],
});
const click = (r: ReturnType<typeof rig>, id: string) => r.run(findItem(menu, id)!.action!);

describe('tray clicks call the right contract method', () => {
  test('Start, Stop, Restart and Troubleshoot › Restart VM', async () => {
    const r = rig();
    for (const id of ['start', 'stop', 'restart', 'troubleshoot:restart']) await click(r, id);
    expect(r.calls).toEqual(['vm.start()', 'vm.stop()', 'vm.restart()', 'vm.restart()']);
    expect(r.fake.refreshed).toBe(4);
  });

  test('container Stop/Restart and Open localhost:PORT', async () => {
    const r = rig();
    await click(r, 'container:c1:stop');
    await click(r, 'container:c1:restart');
    await click(r, 'container:c1:open:8080');
    expect(r.calls).toEqual(['containers.action(c1,stop)', 'containers.action(c1,restart)', 'app.openExternal(http://localhost:8080)']);
  });

  test('Sleep When Idle flips the idleSleep setting through the contract', async () => {
    const r = rig();
    await click(r, 'idle-sleep');
    expect(r.calls).toEqual(['settings.get()', 'settings.update({"idleSleep":false})']);
  });

  test('a software-emulation fallback offers Try Hardware Acceleration Again; a login item awaiting approval opens System Settings', async () => {
    const r = rig();
    await click(r, 'accel-retry');
    expect(r.calls).toEqual(['vm.retryAccel()']);
    const waiting = trayMenu({ state: 'stopped', containers: [], loginItem: { enabled: true, needsApproval: true }, idleSleep: true, dockerHost: 'unix:///x', engines: [] });
    await r.run(findItem(waiting, 'login-approval')!.action!);
    expect(r.calls).toEqual(['vm.retryAccel()', 'loginItem.openSettings()']);
  });

  test('Start at Login flips the login item; copy, dashboard, logs folder and quit use Electron pieces', async () => {
    const r = rig();
    await click(r, 'start-at-login');
    expect(r.calls).toEqual(['loginItem.get()', 'loginItem.set(true)']);
    await click(r, 'copy-docker-host');
    await click(r, 'dashboard');
    await click(r, 'preferences');
    await click(r, 'troubleshoot:logs');
    await click(r, 'quit');
    expect(r.fake).toMatchObject({ clipboard: ['export DOCKER_HOST=unix:///home/u/.berth/docker.sock'], shown: 2, opened: ['/home/u/.berth/logs'], quit: 1 });
  });
  test('Use for the Shell asks first, naming the context; only a yes switches it', async () => {
    const no = rig(1);
    await click(no, 'engine:box:use');
    expect(no.fake.asked).toEqual(['Use the Docker context “box” for the shell? [Use “box”|Cancel]']);
    expect(no.calls).toEqual([]);
    const yes = rig(0);
    await click(yes, 'engine:box:use');
    expect(yes.calls).toEqual(['engines.useForShell(box)']);
    expect(yes.fake.refreshed).toBe(1);
  });
});
