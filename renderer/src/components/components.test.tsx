// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen } from '@testing-library/react';
import { afterEach, describe, expect, test, vi } from 'vitest';
import type { ContainerSummary } from '../../../main/contract/berth-api';
import { createMockBackend, mockWorld } from '../api/mock-backend';
import { ContainersPage } from './containers-page';
import { Header } from './header';
import { ResourcesPage } from './resources-page';
import { VolumesPage } from './lists-pages';
import { renderWithMock as renderWith, runningState as running } from './render-with-mock';

const c = (name: string, project?: string, state = 'running'): ContainerSummary => ({
  id: `id-${name}`,
  name,
  image: 'busybox',
  state,
  status: 'Up 1 minute',
  created: 0,
  ports: [{ host: 8080, container: 80, proto: 'tcp' }],
  composeProject: project,
});

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

describe('components', () => {
  test('the header offers Start when stopped and calls vm.start', async () => {
    const { calls } = renderWith(<Header />, { status: { state: 'stopped', checks: [] } });
    expect(screen.getByRole('status').textContent).toBe('stopped');
    expect(screen.queryByTestId('mock-badge')).toBeNull();
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Start' })));
    expect(calls).toContain('vm.start()');
  });

  test('the header names the mock backend whenever it is in use', () => {
    renderWith(<Header />, running, { mock: true });
    expect(screen.getByTestId('mock-badge').textContent).toBe('Mock backend');
  });

  test('the header shows boot progress while starting', () => {
    renderWith(<Header />, { status: { state: 'starting', checks: [] }, bootStage: 'dockerd' });
    expect(screen.getByRole('progressbar', { name: 'Boot progress' }).getAttribute('value')).toBe('7');
  });

  test('containers are grouped by compose project, filtered, and acted on through the contract', async () => {
    const { calls } = renderWith(<ContainersPage />, { ...running, containers: [c('web', 'shop'), c('db', 'shop'), c('solo')] });
    expect(screen.getByText('shop')).toBeTruthy();
    expect(screen.getAllByRole('row').length).toBe(1 + 1 + 3); // header, one group row, three containers
    fireEvent.change(screen.getByLabelText('Filter containers'), { target: { value: 'db' } });
    expect(screen.queryByTestId('container-web')).toBeNull();
    expect(screen.getByTestId('container-db')).toBeTruthy();
    await act(async () => fireEvent.click(screen.getByRole('button', { name: '8080:80/tcp' })));
    expect(calls).toContain('app.openExternal(http://localhost:8080)');
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Stop db' })));
    expect(calls).toContain('containers.action(id-db,stop)');
  });

  test('the Containers page watches container stats while open, shows CPU and memory, and unwatches on close', async () => {
    const { calls, backend, view } = renderWith(<ContainersPage />, { ...running, containers: [c('web'), c('idle', undefined, 'exited')] });
    await act(async () => undefined);
    const watch = calls.find((x) => x.startsWith('stats.watch(containers,'));
    expect(watch).toMatch(/^stats\.watch\(containers,[0-9a-f]{24}\)$/);
    const row = () => screen.getByTestId('container-web');
    expect(row().querySelector('[data-testid="cpu"]')!.textContent).toBe('—');
    act(() => backend.fire('stats.containers', { at: 1, containers: [{ id: 'id-web', cpuPercent: 42.4, memoryBytes: 52_400_000, memoryLimitBytes: 2e9 }] }));
    expect(row().querySelector('[data-testid="cpu"]')!.textContent).toBe('42 %');
    expect(row().querySelector('[data-testid="memory"]')!.textContent).toBe('52 MB');
    expect(screen.getByTestId('container-idle').querySelector('[data-testid="cpu"]')!.textContent).toBe('');
    view.unmount();
    expect(calls.at(-1)).toBe(watch!.replace('stats.watch', 'stats.unwatch'));
  });

  test('the details drawer graphs the container history', async () => {
    const { backend } = renderWith(<ContainersPage />, { ...running, containers: [c('web')] });
    for (let i = 1; i <= 3; i++) act(() => backend.fire('stats.containers', { at: i, containers: [{ id: 'id-web', cpuPercent: i * 10, memoryBytes: i * 1e6, memoryLimitBytes: 2e9 }] }));
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'web' })));
    expect(screen.getByRole('img', { name: 'CPU: 30 %' }).querySelector('polyline')!.getAttribute('points')!.split(' ')).toHaveLength(3);
    expect(screen.getByRole('img', { name: 'Memory: 3.0 MB of 2.0 GB' })).toBeTruthy();
  });

  test('the drawer streams logs with their colours, highlights and steps through matches, and stops following on close', async () => {
    const { calls, backend } = renderWith(<ContainersPage />, { ...running, containers: [c('web')] });
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'web' })));
    const follow = calls.find((x) => x.startsWith('containers.followLogs(id-web,'))!;
    const watcher = /,([0-9a-f]{24}),5000,false\)$/.exec(follow)![1]!;
    expect(screen.getByTestId('logs').textContent).toContain('ready on port 80');
    const green = [...screen.getByTestId('logs').querySelectorAll('span')].find((el) => el.textContent === 'ready')!;
    expect(green.style.color).toBe('rgb(0, 187, 0)');
    // Text split across chunks joins into one line; another page's chunks are not ours.
    act(() => backend.fire('containers.log', { watcher, id: 'id-web', text: 'GET /index' }));
    act(() => backend.fire('containers.log', { watcher, id: 'id-web', text: '.html 200\n' }));
    act(() => backend.fire('containers.log', { watcher: 'someone-else', id: 'id-web', text: 'not for us\n' }));
    expect(screen.getByTestId('logs').textContent).toContain('GET /index.html 200');
    expect(screen.getByTestId('logs').textContent).not.toContain('not for us');
    act(() => backend.fire('containers.log', { watcher, id: 'id-web', text: 'still Ready\n' }));
    // Search highlights every match in place (nothing is hidden), and steps through them.
    fireEvent.change(screen.getByLabelText('Search logs'), { target: { value: 'READY' } });
    expect(screen.getByTestId('logs').textContent).toContain('GET /index.html 200');
    expect([...screen.getByTestId('logs').querySelectorAll('mark')].map((m) => m.textContent)).toEqual(['ready', 'Ready']);
    expect(screen.getByTestId('log-matches').textContent).toBe('1 of 2');
    expect(screen.getByTestId('logs').querySelector('.match.current')?.textContent).toBe('ready on port 80\n');
    fireEvent.click(screen.getByRole('button', { name: 'Next match' }));
    expect(screen.getByTestId('log-matches').textContent).toBe('2 of 2');
    expect(screen.getByTestId('logs').querySelector('.match.current')?.textContent).toBe('still Ready\n');
    fireEvent.keyDown(screen.getByLabelText('Search logs'), { key: 'Enter', shiftKey: true });
    expect(screen.getByTestId('log-matches').textContent).toBe('1 of 2');
    fireEvent.change(screen.getByLabelText('Search logs'), { target: { value: 'nothing like it' } });
    expect(screen.getByTestId('log-matches').textContent).toBe('no match');
    // Timestamps: a new stream that carries them, for this watcher only.
    await act(async () => fireEvent.click(screen.getByLabelText('Timestamps')));
    expect(calls.some((x) => /^containers\.followLogs\(id-web,[0-9a-f]{24},5000,true\)$/.test(x))).toBe(true);
    expect(screen.getByTestId('logs').textContent).toMatch(/^2026-01-01T00:00:00.000000000Z mock log line from /);
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Close' })));
    expect(calls).toContain(`containers.unfollowLogs(${watcher})`);
  });

  test('the keyboard: / focuses the filter, arrows move over the rows, Enter opens one, Esc closes it', async () => {
    const { calls } = renderWith(<ContainersPage />, { ...running, containers: [c('api'), c('web')] });
    const filter = screen.getByLabelText('Filter containers');
    fireEvent.keyDown(document.body, { key: '/' });
    expect(document.activeElement).toBe(filter);
    fireEvent.keyDown(filter, { key: 'Escape' });
    expect(document.activeElement).not.toBe(filter);
    fireEvent.keyDown(document.body, { key: 'ArrowDown' });
    expect(screen.getByTestId('container-api').className).toBe('cursor');
    fireEvent.keyDown(document.body, { key: 'ArrowDown' });
    fireEvent.keyDown(document.body, { key: 'ArrowDown' }); // stays on the last row
    expect(screen.getByTestId('container-web').className).toBe('cursor');
    expect(screen.getByTestId('container-api').className).toBe('');
    await act(async () => fireEvent.keyDown(document.body, { key: 'Enter' }));
    expect(screen.getByRole('dialog', { name: 'Details of web' })).toBeTruthy();
    expect(calls.some((x) => x.startsWith('containers.followLogs(id-web,'))).toBe(true);
    await act(async () => fireEvent.keyDown(document.body, { key: 'Escape' }));
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  test('empty states name the next step, with a command to copy', async () => {
    const write = vi.fn(async () => undefined);
    Object.defineProperty(navigator, 'clipboard', { value: { writeText: write }, configurable: true });
    renderWith(<ContainersPage />, { ...running, containers: [] });
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Copy docker run -d -p 8080:80 nginx' })));
    expect(write).toHaveBeenCalledWith('docker run -d -p 8080:80 nginx');
    expect(screen.getByRole('button', { name: 'Copy docker run -d -p 8080:80 nginx' }).textContent).toBe('Copied');
    cleanup();
    renderWith(<ContainersPage />, { status: { state: 'stopped', checks: [] } });
    expect(screen.getByRole('button', { name: 'Copy berth start' })).toBeTruthy();
  });

  test('Resources watches the VM only while the VM runs and graphs its usage', async () => {
    const { calls, backend } = renderWith(<ResourcesPage />, { ...running, settings: backend0().world.settings });
    await act(async () => undefined);
    expect(calls.some((x) => x.startsWith('stats.watch(vm,'))).toBe(true);
    act(() =>
      backend.fire('stats.vm', {
        at: 1,
        cpuPercent: 12.5,
        cpus: 2,
        hostResidentBytes: 7e8,
        memoryBytes: 2 ** 31,
        guest: { totalBytes: 2e9, availableBytes: 1.5e9, usedBytes: 5e8, cacheBytes: 1e8 },
        disk: { allocatedBytes: 3e8, path: '/x' },
      }),
    );
    expect(screen.getByRole('img', { name: 'CPU (2 vCPUs): 13 %' })).toBeTruthy();
    expect(screen.getByRole('img', { name: 'Memory in use: 500 MB of 2.0 GB' })).toBeTruthy();
    expect(screen.getByText(/occupies 700 MB of memory and its disk image 300 MB/)).toBeTruthy();
  });

  test('Resources shows the accelerator in use and why, and changes the setting through the contract', async () => {
    const reason = 'KVM failed during boot on this host (emulation failure); using software emulation';
    const { calls } = renderWith(<ResourcesPage />, { status: { state: 'running', checks: [], accel: 'tcg', accelReason: reason }, settings: backend0().world.settings });
    await act(async () => undefined);
    expect(screen.getByTestId('accel-in-use').textContent).toBe(`Running on tcg: ${reason}`);
    const confirm = vi.spyOn(window, 'confirm').mockReturnValue(false);
    fireEvent.change(screen.getByLabelText('Accelerator'), { target: { value: 'tcg' } });
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Apply' })));
    expect(calls).toContain('settings.update({"accelerator":"tcg"})');
    expect(confirm).toHaveBeenCalledWith('Restart the VM now to apply the new resources?');
  });

  test('Resources switches the containerd image store through the contract, and offers the restart it needs', async () => {
    const { calls } = renderWith(<ResourcesPage />, { ...running, settings: backend0().world.settings });
    await act(async () => undefined);
    const confirm = vi.spyOn(window, 'confirm').mockReturnValue(false);
    const box = screen.getByLabelText(/Use containerd for pulling and storing images/) as HTMLInputElement;
    expect(box.checked).toBe(false);
    fireEvent.click(box);
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Apply' })));
    expect(calls).toContain('settings.update({"containerdImageStore":true})');
    expect(confirm).toHaveBeenCalledWith('Restart the VM now to apply the new resources?');
  });

  test('removing or pruning volumes asks first and names what goes; a refusal deletes nothing', async () => {
    const volumes = [
      { name: 'shop_pgdata', size: 1, usedBy: ['shop-db-1'] },
      { name: 'old_cache', size: 1, usedBy: [] },
      { name: 'scratch', size: 1, usedBy: [] },
    ];
    const { calls } = renderWith(<VolumesPage />, { ...running, volumes });
    const confirm = vi.spyOn(window, 'confirm').mockReturnValue(false);
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Remove shop_pgdata' })));
    expect(confirm.mock.calls[0]![0]).toBe('Remove volume shop_pgdata? The data in it is deleted and cannot be recovered.');
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Prune unused volumes' })));
    expect(confirm.mock.calls[1]![0]).toBe('Prune deletes 2 volumes no container uses, and the data in them: old_cache, scratch. Continue?');
    expect(calls.filter((c) => c.startsWith('volumes.'))).toEqual([]);
    confirm.mockReturnValue(true);
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Prune unused volumes' })));
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Remove shop_pgdata' })));
    expect(calls.filter((c) => c.startsWith('volumes.') && c !== 'volumes.list()')).toEqual(['volumes.prune()', 'volumes.remove(shop_pgdata)']);
  });

  test('Resources does not watch a stopped VM', async () => {
    const { calls } = renderWith(<ResourcesPage />, { status: { state: 'stopped', checks: [] }, settings: backend0().world.settings });
    await act(async () => undefined);
    expect(calls.some((x) => x.startsWith('stats.watch'))).toBe(false);
    expect(screen.getByText(/appear while the VM runs/)).toBeTruthy();
  });

  test('Reclaim space names what it deletes, runs only after the confirm, and reports the disk before and after', async () => {
    const { calls } = renderWith(<ResourcesPage />, { ...running, settings: backend0().world.settings });
    await act(async () => undefined);
    const confirm = vi.spyOn(window, 'confirm').mockReturnValueOnce(false).mockReturnValueOnce(true);
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Reclaim space' })));
    expect(confirm.mock.calls[0]![0]).toMatch(/stopped containers, unused networks, dangling images and the build cache\. Continue/);
    expect(calls.some((x) => x.startsWith('system.reclaim'))).toBe(false);
    fireEvent.click(screen.getByLabelText(/Also delete volumes/));
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Reclaim space' })));
    expect(confirm.mock.calls[1]![0]).toMatch(/every volume no container uses/);
    expect(calls).toContain('system.reclaim({"volumes":true})');
    expect(screen.getByTestId('reclaim-result').textContent).toMatch(/from 2\.1 GB to 2\.0 GB/);
  });

  test('empty and not-running states say so', () => {
    renderWith(<ContainersPage />, { status: { state: 'stopped', checks: [] } });
    expect(screen.getByText(/The VM is not running/)).toBeTruthy();
  });
});

function backend0() {
  return createMockBackend({ world: mockWorld() });
}
