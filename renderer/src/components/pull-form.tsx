import { useMemo, useState } from 'react';
import { useApi } from './context';
import { PullProgressView, usePullProgress } from './pull-progress';
import { newWatcherId } from './use-stats-watch';

type Outcome = { ok: true; status: string } | { ok: false; message: string };

/** `docker pull` from the Images page: a reference, per-layer progress while it runs, and the engine's last word. */
export function PullForm({ onPulled }: { onPulled: () => void }) {
  const { api } = useApi();
  const watcher = useMemo(newWatcherId, []);
  const [ref, setRef] = useState('');
  const [pulling, setPulling] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>();
  const [progress, setProgress] = usePullProgress(watcher);
  const pull = async () => {
    const wanted = ref.trim();
    if (!wanted) return;
    setPulling(true);
    setOutcome(undefined);
    setProgress(undefined);
    const r = await api['images.pull'](wanted, watcher);
    setPulling(false);
    setOutcome(r.ok ? { ok: true, status: r.value.status } : { ok: false, message: r.error.message });
    if (r.ok) onPulled();
  };
  return (
    <form
      className="pull-form"
      aria-label="Pull an image"
      onSubmit={(e) => {
        e.preventDefault();
        void pull();
      }}
    >
      <div className="row">
        <input type="text" aria-label="Image to pull" placeholder="Image to pull, e.g. nginx:alpine" value={ref} onChange={(e) => setRef(e.target.value)} spellCheck={false} />
        <button type="submit" className="primary" disabled={pulling || !ref.trim()}>
          {pulling ? 'Pulling…' : 'Pull'}
        </button>
      </div>
      {progress && <PullProgressView progress={progress} />}
      {outcome && !outcome.ok && (
        <p role="alert" className="error">
          {outcome.message}
        </p>
      )}
      {outcome?.ok && (
        <p role="status" className="muted">
          {outcome.status}
        </p>
      )}
    </form>
  );
}
