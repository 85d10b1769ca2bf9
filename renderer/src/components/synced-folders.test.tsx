// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, test } from 'vitest';
import type { SyncFolderStatus } from '../../../main/contract/berth-api';
import { mockWorld } from '../api/mock-backend';
import { renderWithMock } from './render-with-mock';
import { SettingsPage } from './settings-pages';

const folder = (over: Partial<SyncFolderStatus>): SyncFolderStatus => ({ hostPath: '/Users/u/code/webapp', state: 'watching', ready: true, conflicts: [], entries: 4919, ...over });

/** The Settings page against the MOCK backend, with made-up synchronized folders. */
async function renderSettings(sync: SyncFolderStatus[]) {
  const world = mockWorld();
  world.sync = sync;
  world.settings.syncedPaths = sync.map((f) => f.hostPath);
  const { backend, store } = renderWithMock(<SettingsPage />, {}, { world });
  await act(async () => store.getState().refreshStatus());
  return { backend, store, world };
}

afterEach(cleanup);

describe('synchronized folders on the Settings page (mock backend)', () => {
  test('each folder shows its state and conflicts; a paused one can be resumed', async () => {
    const conflict = { path: 'notes.txt', copy: 'notes (VM conflict 2026-12-06 101502).txt', at: '2026-12-06T10:15:02Z' };
    const { backend } = await renderSettings([folder({ conflicts: [conflict] }), folder({ hostPath: '/Users/u/data', state: 'paused', paused: { kind: 'mass-delete', side: 'vm', count: 1200 } })]);
    const rows = screen.getAllByTestId('synced-folder');
    expect(rows[0]!.textContent).toContain('in step (4919 entries)');
    expect(rows[0]!.textContent).toContain("Conflict in notes.txt: the VM's version was kept as notes (VM conflict 2026-12-06 101502).txt.");
    expect(rows[1]!.textContent).toContain("1200 entries were deleted on the host's side");
    await act(async () => fireEvent.click(within(rows[1]!).getByRole('button', { name: 'Resume' })));
    expect(backend.calls).toContain('sync.resume(/Users/u/data)');
    expect(screen.getAllByTestId('synced-folder')[1]!.textContent).toContain('in step');
  });

  test('a folder is added and removed through the setting; a status event updates the row', async () => {
    const { backend, store } = await renderSettings([folder({ state: 'scanning', ready: false, progress: { done: 10, total: 100 } })]);
    expect(screen.getByTestId('synced-folder').textContent).toContain('copying into the VM (10 of 100 entries)');
    fireEvent.change(screen.getByLabelText('Folder to synchronize'), { target: { value: '/Users/u/other' } });
    await act(async () => fireEvent.submit(screen.getByLabelText('Folder to synchronize').closest('form')!));
    expect(store.getState().settings?.syncedPaths).toEqual(['/Users/u/code/webapp', '/Users/u/other']);
    expect(screen.getAllByTestId('synced-folder')[1]!.textContent).toContain('after the next restart');
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Stop synchronizing /Users/u/other' })));
    expect(store.getState().settings?.syncedPaths).toEqual(['/Users/u/code/webapp']);
    await act(async () => backend.fire('sync.changed', { folders: [folder({})] }));
    expect(screen.getByTestId('synced-folder').textContent).toContain('in step (4919 entries)');
  });
});
