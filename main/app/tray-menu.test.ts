import { describe, expect, test } from 'vitest';
import type { ContainerSummary, SyncFolderStatus } from '../contract/berth-api';
import { VM_STATES } from '../vm/vm-state';
import { findItem, trayMenu, type TrayState } from './tray-menu';
import { trayCares } from '../contract/tray-events';

const web: ContainerSummary = { id: 'abc123', name: 'web', image: 'nginx', state: 'running', status: 'Up', created: 0, ports: [{ host: 8080, container: 80, proto: 'tcp' }] };
const base: TrayState = { state: 'stopped', containers: [], loginItem: { enabled: false, needsApproval: false }, idleSleep: true, dockerHost: 'unix:///home/u/.berth/docker.sock', engines: [] };

describe('what rebuilds the tray', () => {
  test('VM state, boot stages and container changes do; stats frames and log chunks never do', () => {
    for (const e of ['vm.state', 'vm.bootStage', 'engine.changed', 'engines.changed', 'sync.changed']) expect(trayCares(e), e).toBe(true);
    for (const e of ['stats.containers', 'stats.vm', 'containers.log']) expect(trayCares(e), e).toBe(false);
  });
});

describe('trayMenu', () => {
  test('Start, Stop and Restart are enabled only where the state allows, for every state', () => {
    const expected: Record<string, [boolean, boolean, boolean]> = {
      stopped: [true, false, false],
      starting: [false, true, false],
      running: [false, true, true],
      degraded: [false, true, true],
      stopping: [false, false, false],
      error: [true, false, true],
      suspending: [false, false, false],
      sleeping: [true, true, true],
    };
    for (const state of VM_STATES) {
      const m = trayMenu({ ...base, state });
      const got = ['start', 'stop', 'restart'].map((id) => findItem(m, id)!.enabled);
      expect(got, state).toEqual(expected[state]);
    }
  });

  test('the status line tells the state, the boot stage and the container count', () => {
    expect(findItem(trayMenu({ ...base, state: 'running', containers: [web] }), 'status')!.label).toBe('Berth is running · 1 container');
    expect(findItem(trayMenu({ ...base, state: 'starting', bootStage: 'dockerd' }), 'status')!.label).toBe('Starting… (dockerd)');
    expect(findItem(trayMenu(base), 'status')!.enabled).toBe(false);
  });

  test('asleep, the menu says so and its first item wakes the VM; Sleep When Idle switches the setting', () => {
    const m = trayMenu({ ...base, state: 'sleeping' });
    expect(findItem(m, 'status')!.label).toBe('Berth is asleep · wakes on the next docker command');
    expect(findItem(m, 'start')).toMatchObject({ label: 'Wake', enabled: true, action: { kind: 'call', call: 'vm.start' } });
    expect(findItem(trayMenu({ ...base, state: 'suspending' }), 'status')!.label).toBe('Going to sleep…');
    expect(findItem(m, 'idle-sleep')).toMatchObject({ type: 'checkbox', checked: true, action: { kind: 'toggle-idle-sleep' } });
    expect(findItem(trayMenu({ ...base, idleSleep: false }), 'idle-sleep')!.checked).toBe(false);
  });

  test('running containers get Stop, Restart and Open localhost:PORT, with stable ids', () => {
    const m = trayMenu({ ...base, state: 'running', containers: [web, { ...web, id: 'dead', name: 'old', state: 'exited' }] });
    expect(findItem(m, 'containers')!.submenu!.map((i) => i.id)).toEqual(['container:abc123']);
    expect(findItem(m, 'container:abc123:stop')!.action).toEqual({ kind: 'container', id: 'abc123', action: 'stop' });
    expect(findItem(m, 'container:abc123:open:8080')!.action).toEqual({ kind: 'open-url', url: 'http://localhost:8080' });
    expect(findItem(trayMenu(base), 'containers')!.enabled).toBe(false);
  });

  test('a fallback to software emulation is said loudly, under the status, with the way back to hardware', () => {
    const m = trayMenu({ ...base, state: 'running', accelFallback: 'Running with software emulation (slow): hvf failed at launch: HV error' });
    expect(m.slice(0, 3).map((i) => [i.id, i.label])).toEqual([
      ['status', 'Berth is running · 0 containers'],
      ['accel-fallback', '⚠ Running with software emulation (slow): hvf failed at launch: HV error'],
      ['accel-retry', 'Try Hardware Acceleration Again'],
    ]);
    expect(findItem(m, 'accel-retry')!.action).toEqual({ kind: 'call', call: 'vm.retryAccel' });
    expect(findItem(trayMenu({ ...base, state: 'running' }), 'accel-retry')).toBeUndefined();
  });

  test('a login item waiting for approval (macOS 13+) shows as on and waiting, with the way to approve it', () => {
    const m = trayMenu({ ...base, loginItem: { enabled: true, needsApproval: true } });
    expect(findItem(m, 'start-at-login')).toMatchObject({ checked: true, label: 'Start at Login (Waiting for Approval)' });
    expect(findItem(m, 'login-approval')!.action).toEqual({ kind: 'open-login-settings' });
    expect(findItem(trayMenu(base), 'login-approval')).toBeUndefined();
  });

  test('each item maps to the right contract action', () => {
    const m = trayMenu({ ...base, state: 'running', loginItem: { enabled: true, needsApproval: false } });
    expect(findItem(m, 'start')!.action).toEqual({ kind: 'call', call: 'vm.start' });
    expect(findItem(m, 'stop')!.action).toEqual({ kind: 'call', call: 'vm.stop' });
    expect(findItem(m, 'troubleshoot:restart')!.action).toEqual({ kind: 'call', call: 'vm.restart' });
    expect(findItem(m, 'start-at-login')).toMatchObject({ type: 'checkbox', checked: true, action: { kind: 'toggle-login-item' } });
    expect(findItem(m, 'copy-docker-host')!.label).toBe('Copy export DOCKER_HOST=unix:///home/u/.berth/docker.sock');
    expect(findItem(m, 'quit')!.action).toEqual({ kind: 'quit' });
    expect(findItem(m, 'troubleshoot:logs')!.action).toEqual({ kind: 'open-logs-folder' });
  });
  test('Docker Engines: each other context with its state, its running containers or why it is unreachable, and Use for the Shell unless it is the current one', () => {
    expect(findItem(trayMenu(base), 'engines')).toBeUndefined();
    const engines: TrayState['engines'] = [
      { name: 'box', host: 'tcp://box.example:2376', kind: 'tcp', skipTlsVerify: false, current: true, hasTls: true, reachable: true, running: 2, runningNames: ['api', 'db'] },
      { name: 'far', host: 'ssh://me@far', kind: 'ssh', skipTlsVerify: false, current: false, hasTls: false, reachable: false, error: 'Permission denied (publickey).' },
    ];
    const m = trayMenu({ ...base, engines });
    const labels = (id: string) => findItem(m, id)!.submenu!.map((i) => i.label ?? '—');
    expect(labels('engines')).toEqual(['box · 2 running · shell', 'far · unreachable']);
    expect(labels('engine:box')).toEqual(['tcp://box.example:2376', 'api', 'db', '—', 'Used by the Shell']);
    expect(findItem(m, 'engine:box:use')!.enabled).toBe(false);
    expect(labels('engine:far')).toEqual(['ssh://me@far', 'Unreachable: Permission denied (publickey).', '—', 'Use for the Shell…']);
    expect(findItem(m, 'engine:far:use')!.action).toEqual({ kind: 'use-context', name: 'far' });
  });
});

describe('synchronized folders in the tray', () => {
  const folder = (over: Partial<SyncFolderStatus>): SyncFolderStatus => ({ hostPath: '/home/u/code/webapp', state: 'watching', ready: true, conflicts: [], entries: 10, ...over });

  test('a folder in step shows nothing; a first copy shows how far it is', () => {
    expect(trayMenu({ ...base, state: 'running', sync: [folder({})] }).filter((i) => i.id.startsWith('sync:'))).toEqual([]);
    const m = trayMenu({ ...base, state: 'running', sync: [folder({ state: 'scanning', ready: false, progress: { done: 500, total: 3000 } })] });
    expect(findItem(m, 'sync:/home/u/code/webapp:copying')?.label).toBe('Copying webapp into the VM (500 of 3000)');
  });

  test('a paused mass delete says so and offers to resume; a vanished folder has nothing to resume', () => {
    const m = trayMenu({ ...base, state: 'running', sync: [folder({ state: 'paused', paused: { kind: 'mass-delete', side: 'vm', count: 4919 } })] });
    expect(findItem(m, 'sync:/home/u/code/webapp:paused')?.label).toBe('⚠ Sync of webapp paused: 4919 deletes wait');
    expect(findItem(m, 'sync:/home/u/code/webapp:resume')?.action).toEqual({ kind: 'sync-resume', path: '/home/u/code/webapp' });
    const gone = trayMenu({ ...base, state: 'running', sync: [folder({ state: 'paused', paused: { kind: 'host-missing' } })] });
    expect(findItem(gone, 'sync:/home/u/code/webapp:paused')?.label).toBe('⚠ Sync of webapp paused: its folder is gone');
    expect(findItem(gone, 'sync:/home/u/code/webapp:resume')).toBeUndefined();
  });

  test('conflicts are counted, and open the dashboard', () => {
    const c = { path: 'notes.txt', copy: 'notes (VM conflict 2026-12-06 101502).txt', at: '2026-12-06T10:15:02Z' };
    const m = trayMenu({ ...base, state: 'running', sync: [folder({ conflicts: [c, { ...c, path: 'b.txt' }] })] });
    expect(findItem(m, 'sync:/home/u/code/webapp:conflicts')).toMatchObject({ label: '⚠ 2 sync conflicts in webapp', action: { kind: 'open-dashboard' } });
  });
});
