import { useApi, useBerth } from './context';

const mb = (n?: number) => (n === undefined || n < 0 ? '—' : `${(n / 1e6).toFixed(1)} MB`);

/** Images: tags, size, age, which containers use them; remove and prune. */
export function ImagesPage() {
  const { api, store } = useApi();
  const images = useBerth((s) => s.images);
  if (!images) return <p className="empty">Loading images…</p>;
  const refresh = () => store.getState().refreshLists();
  return (
    <section aria-label="Images">
      <div className="toolbar">
        <button onClick={() => void store.getState().run('prune', () => api['images.prune']()).then(refresh)}>Prune dangling images</button>
      </div>
      {images.length === 0 ? (
        <p className="empty">No images.</p>
      ) : (
        <table>
          <thead>
            <tr><th scope="col">Tag</th><th scope="col">Size</th><th scope="col">Created</th><th scope="col">Used by</th><th scope="col">Actions</th></tr>
          </thead>
          <tbody>
            {images.map((i) => (
              <tr key={i.id} data-testid="image-row">
                <td>{i.tags.join(', ') || i.id.slice(7, 19)}</td>
                <td>{mb(i.size)}</td>
                <td>{new Date(i.created * 1000).toLocaleString()}</td>
                <td>{i.usedBy.join(', ') || '—'}</td>
                <td><button aria-label={`Remove ${i.tags[0] ?? i.id}`} onClick={() => void store.getState().run(`i:${i.id}`, () => api['images.remove'](i.id)).then(refresh)}>Remove</button></td>
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
  return (
    <section aria-label="Volumes">
      <div className="toolbar">
        <button onClick={() => void store.getState().run('vprune', () => api['volumes.prune']()).then(refresh)}>Prune unused volumes</button>
      </div>
      {volumes.length === 0 ? (
        <p className="empty">No volumes.</p>
      ) : (
        <table>
          <thead>
            <tr><th scope="col">Name</th><th scope="col">Size</th><th scope="col">Used by</th><th scope="col">Actions</th></tr>
          </thead>
          <tbody>
            {volumes.map((v) => (
              <tr key={v.name}>
                <td>{v.name}</td>
                <td>{mb(v.size)}</td>
                <td>{v.usedBy.join(', ') || '—'}</td>
                <td><button aria-label={`Remove ${v.name}`} onClick={() => void store.getState().run(`v:${v.name}`, () => api['volumes.remove'](v.name)).then(refresh)}>Remove</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
