import { useState } from 'react';
import type { Reply } from '../../../main/contract/berth-api';
import { useApi, useBerth } from './context';
import { PullForm } from './pull-form';
import { RunButton, RunDialog } from './run-dialog';

const mb = (n?: number) => (n === undefined || n < 0 ? '—' : `${(n / 1e6).toFixed(1)} MB`);

/** Images: pull one; tags, size, age, which containers use them; run, remove and prune. */
export function ImagesPage() {
  const { api, store } = useApi();
  const images = useBerth((s) => s.images);
  const [runImage, setRunImage] = useState<string>();
  if (!images) return <p className="empty">Loading images…</p>;
  const refresh = () => store.getState().refreshLists();
  const run = <T,>(key: string, call: () => Promise<Reply<T>>) => void store.getState().run(key, call).then(refresh);
  return (
    <section aria-label="Images">
      <div className="toolbar">
        <PullForm onPulled={() => void refresh()} />
        <span className="spacer" />
        <RunButton onStarted={() => store.getState().setPage('containers')} />
        <button type="button" onClick={() => run('prune', () => api['images.prune']())}>
          Prune dangling images
        </button>
      </div>
      {runImage !== undefined && <RunDialog image={runImage} onClose={() => setRunImage(undefined)} onStarted={() => store.getState().setPage('containers')} />}
      {images.length === 0 ? (
        <p className="empty">No images yet. Pull one above, or build one from a terminal.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Tag</th>
              <th scope="col">Size</th>
              <th scope="col">Created</th>
              <th scope="col">Used by</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {images.map((i) => (
              <tr key={i.id} data-testid="image-row">
                <td>{i.tags.join(', ') || i.id.slice(7, 19)}</td>
                <td>{mb(i.size)}</td>
                <td>{new Date(i.created * 1000).toLocaleString()}</td>
                <td>{i.usedBy.join(', ') || '—'}</td>
                <td className="actions">
                  <button type="button" aria-label={`Run ${i.tags[0] ?? i.id}`} onClick={() => setRunImage(i.tags[0] ?? i.id)}>
                    Run…
                  </button>
                  <button type="button" aria-label={`Remove ${i.tags[0] ?? i.id}`} onClick={() => run(`i:${i.id}`, () => api['images.remove'](i.id))}>
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** Volumes: size, which containers use them; remove and prune. */
export function VolumesPage() {
  const { api, store } = useApi();
  const volumes = useBerth((s) => s.volumes);
  if (!volumes) return <p className="empty">Loading volumes…</p>;
  const refresh = () => store.getState().refreshLists();
  // Deleting a volume deletes data nothing else holds: each delete names what goes, and asks first.
  const remove = (name: string) => {
    if (!confirm(`Remove volume ${name}? The data in it is deleted and cannot be recovered.`)) return;
    void store
      .getState()
      .run(`v:${name}`, () => api['volumes.remove'](name))
      .then(refresh);
  };
  const prune = () => {
    const unused = volumes.filter((v) => v.usedBy.length === 0).map((v) => v.name);
    if (unused.length === 0) return void alert('No volume is unused: nothing to prune.');
    if (!confirm(`Prune deletes ${unused.length} volume${unused.length === 1 ? '' : 's'} no container uses, and the data in them: ${unused.join(', ')}. Continue?`)) return;
    void store
      .getState()
      .run('vprune', () => api['volumes.prune']())
      .then(refresh);
  };
  return (
    <section aria-label="Volumes">
      <div className="toolbar">
        <button type="button" onClick={prune}>
          Prune unused volumes
        </button>
      </div>
      {volumes.length === 0 ? (
        <p className="empty">No volumes.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Size</th>
              <th scope="col">Used by</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {volumes.map((v) => (
              <tr key={v.name}>
                <td>{v.name}</td>
                <td>{mb(v.size)}</td>
                <td>{v.usedBy.join(', ') || '—'}</td>
                <td>
                  <button type="button" aria-label={`Remove ${v.name}`} onClick={() => remove(v.name)}>
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
