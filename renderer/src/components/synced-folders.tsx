import { useState } from 'react';
import type { Settings, SyncFolderStatus } from '../../../main/contract/berth-api';
import { syncStateText } from '../../../main/contract/ui-constants';
import { useApi, useBerth } from './context';

/**
 * Synchronized folders: each one in the setting, with its state as the agent reports it (in
 * step, copying, paused, conflicts), a Resume for a paused one, and a way to add or remove a
 * folder (applied at the next restart, as the setting is).
 */
export function SyncedFolders({ settings, folders }: { settings: Settings; folders: SyncFolderStatus[] }) {
  const { api, store } = useApi();
  const busy = useBerth((s) => s.busy);
  const [adding, setAdding] = useState('');
  const save = async (syncedPaths: string[]) => {
    const r = await store.getState().run('settings', () => api['settings.update']({ syncedPaths }));
    if (r) store.setState({ settings: r });
    return !!r;
  };
  const resume = async (path: string) => {
    const r = await store.getState().run(`sync:${path}`, () => api['sync.resume'](path));
    if (r) store.setState((s) => ({ status: s.status && { ...s.status, sync: r } }));
  };
  return (
    <section aria-label="Synchronized folders">
      <h2>Synchronized folders</h2>
      <p className="muted">A copy on the VM's disk, kept in step with the host both ways: containers that bind-mount inside it run at the disk's own speed. Changes apply at the next restart.</p>
      <ul className="synced">
        {settings.syncedPaths.map((p) => {
          const f = folders.find((x) => x.hostPath === p);
          return (
            <li key={p} data-testid="synced-folder">
              <code>{p}</code> <span className="muted">{f ? syncStateText(f) : 'after the next restart'}</span>
              {f?.state === 'paused' && f.paused?.kind !== 'host-missing' && (
                <button type="button" disabled={busy[`sync:${p}`]} onClick={() => void resume(p)}>
                  Resume
                </button>
              )}
              <button type="button" aria-label={`Stop synchronizing ${p}`} onClick={() => void save(settings.syncedPaths.filter((x) => x !== p))}>
                Remove
              </button>
              {f?.conflicts.map((c) => (
                <p key={c.copy} className="conflict">
                  Conflict in <code>{c.path}</code>: the VM's version was kept as <code>{c.copy}</code>.
                </p>
              ))}
            </li>
          );
        })}
      </ul>
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          if (adding.trim()) void save([...settings.syncedPaths, adding.trim()]).then((ok) => ok && setAdding(''));
        }}
      >
        <input aria-label="Folder to synchronize" placeholder="/Users/you/code/webapp" value={adding} onChange={(e) => setAdding(e.target.value)} />
        <button type="submit" disabled={busy.settings}>
          Add
        </button>
      </form>
    </section>
  );
}
