import { useEffect, useMemo, useRef, useState } from 'react';
import type { RunResult } from '../../../main/contract/berth-api';
import { useApi } from './context';
import { PullProgressView, usePullProgress } from './pull-progress';
import { emptyMount, emptyPort, emptyRunForm, type MountRow, type PortRow, type RunForm, toRunSpec } from './run-form';
import { newWatcherId } from './use-stats-watch';

type Patch = (p: Partial<RunForm>) => void;

/**
 * `docker run -d` as a dialog: image, name, ports (always on 127.0.0.1),
 * environment, bind mounts or volumes, a command and "remove when stopped".
 * An image the engine lacks is pulled first, with its progress shown here.
 * The engine's refusal ("Mounts denied: …", a taken port) is shown as it said it.
 */
export function RunDialog({ image, onClose, onStarted }: { image?: string; onClose: () => void; onStarted: (r: RunResult) => void }) {
  const [form, setForm] = useState<RunForm>(() => emptyRunForm(image));
  const { progress, busy, error, submit } = useRunSubmit(form, onStarted);
  const box = useRef<HTMLDivElement>(null);
  // A modal takes the focus: to the image field, or to the name when the image is chosen already.
  useEffect(() => {
    box.current?.querySelector<HTMLInputElement>(image ? 'input[name="name"]' : 'input[name="image"]')?.focus();
  }, [image]);
  useEscape(onClose);
  const set: Patch = (p) => setForm((f) => ({ ...f, ...p }));
  return (
    <div className="modal-backdrop">
      <div role="dialog" aria-modal="true" aria-labelledby="run-title" className="modal" ref={box}>
        <form
          className="form"
          onSubmit={(e) => {
            e.preventDefault();
            void submit();
          }}
        >
          <h2 id="run-title">Run a container</h2>
          <RunFields form={form} set={set} />
          {progress && <PullProgressView progress={progress} />}
          {error && (
            <p role="alert" className="error">
              {error}
            </p>
          )}
          <div className="row">
            <button type="submit" className="primary" disabled={busy}>
              {busy ? 'Starting…' : 'Run'}
            </button>
            <button type="button" onClick={onClose}>
              Cancel
            </button>
          </div>
        </form>
      </div>
    </div>
  );
}

/**
 * Esc closes the dialog wherever the focus is (a button that went disabled
 * leaves it on the page), and only the dialog: it is caught before the
 * Containers page's own Esc, which would close the drawer behind.
 */
function useEscape(close: () => void) {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      e.stopPropagation();
      close();
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [close]);
}

/** Sends the form as `containers.run`, with the progress of a pull it needs, and the form's or the engine's error. */
function useRunSubmit(form: RunForm, onStarted: (r: RunResult) => void) {
  const { api } = useApi();
  const watcher = useMemo(newWatcherId, []);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [progress] = usePullProgress(watcher);
  const submit = async () => {
    const spec = toRunSpec(form);
    if (typeof spec === 'string') return setError(spec);
    setBusy(true);
    setError(undefined);
    const r = await api['containers.run'](spec, watcher);
    setBusy(false);
    if (r.ok) onStarted(r.value);
    else setError(r.error.message);
  };
  return { progress, busy, error, submit };
}

/** "Run…": a button that opens the dialog with no image chosen. */
export function RunButton({ onStarted }: { onStarted: (r: RunResult) => void }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" onClick={() => setOpen(true)}>
        Run…
      </button>
      {open && (
        <RunDialog
          onClose={() => setOpen(false)}
          onStarted={(r) => {
            setOpen(false);
            onStarted(r);
          }}
        />
      )}
    </>
  );
}

/** The dialog's fields. */
function RunFields({ form, set }: { form: RunForm; set: Patch }) {
  return (
    <>
      <label>
        Image
        <input type="text" value={form.image} onChange={(e) => set({ image: e.target.value })} placeholder="e.g. nginx:alpine" spellCheck={false} name="image" />
      </label>
      <label>
        Name
        <input type="text" value={form.name} onChange={(e) => set({ name: e.target.value })} placeholder="optional: Docker picks one" spellCheck={false} name="name" />
      </label>
      <RowList<PortRow> {...PORT_ROWS} rows={form.ports} onChange={(ports) => set({ ports })} />
      <label>
        Environment
        <textarea rows={3} value={form.env} onChange={(e) => set({ env: e.target.value })} placeholder="KEY=value, one per line" spellCheck={false} />
      </label>
      <RowList<MountRow> {...MOUNT_ROWS} rows={form.mounts} onChange={(mounts) => set({ mounts })} />
      <label>
        Command
        <input type="text" value={form.command} onChange={(e) => set({ command: e.target.value })} placeholder="optional: the image's own" spellCheck={false} />
      </label>
      <label className="row">
        <input type="checkbox" checked={form.remove} onChange={(e) => set({ remove: e.target.checked })} />
        Remove when stopped (--rm)
      </label>
    </>
  );
}

/** A kind of row the dialog lists: its legend, what one row is called, a new empty row, and a row's fields. */
interface RowKind<T> {
  legend: string;
  noun: string;
  make: () => T;
  fields: (r: T, i: number, edit: (patch: Partial<T>) => void) => React.ReactNode;
}

/** A list of rows the dialog edits (ports, mounts): each row's fields, a ✕ to remove it, and Add. */
function RowList<T extends { key: string }>(p: RowKind<T> & { rows: T[]; onChange: (r: T[]) => void }) {
  const { rows, onChange } = p;
  return (
    <fieldset>
      <legend>{p.legend}</legend>
      {rows.map((r, i) => (
        <div className="row" key={r.key}>
          {p.fields(r, i, (patch) => onChange(rows.map((x, j) => (j === i ? { ...x, ...patch } : x))))}
          <button type="button" aria-label={`Remove ${p.noun} ${i + 1}`} onClick={() => onChange(rows.filter((_, j) => j !== i))}>
            ✕
          </button>
        </div>
      ))}
      <button type="button" onClick={() => onChange([...rows, p.make()])}>
        Add a {p.noun}
      </button>
    </fieldset>
  );
}

/** Published ports; the host side is always 127.0.0.1, so nothing on the network reaches them. */
const PORT_ROWS: RowKind<PortRow> = {
  legend: 'Ports (on 127.0.0.1)',
  noun: 'port',
  make: emptyPort,
  fields: (r, i, edit) => (
    <>
      <input type="text" inputMode="numeric" aria-label={`Host port ${i + 1}`} placeholder="host (blank: any)" value={r.host} onChange={(e) => edit({ host: e.target.value })} />
      <span>→</span>
      <input type="text" inputMode="numeric" aria-label={`Container port ${i + 1}`} placeholder="container" value={r.container} onChange={(e) => edit({ container: e.target.value })} />
      <select aria-label={`Protocol ${i + 1}`} value={r.proto} onChange={(e) => edit({ proto: e.target.value as PortRow['proto'] })}>
        <option value="tcp">tcp</option>
        <option value="udp">udp</option>
      </select>
    </>
  ),
};

/** Bind mounts (an absolute host path, which must be shared with the VM) and named volumes. */
const MOUNT_ROWS: RowKind<MountRow> = {
  legend: 'Mounts',
  noun: 'mount',
  make: emptyMount,
  fields: (r, i, edit) => (
    <>
      <input type="text" aria-label={`Host path or volume ${i + 1}`} placeholder="/host/path or volume" value={r.source} onChange={(e) => edit({ source: e.target.value })} spellCheck={false} />
      <span>→</span>
      <input type="text" aria-label={`Container path ${i + 1}`} placeholder="/path/in/container" value={r.target} onChange={(e) => edit({ target: e.target.value })} spellCheck={false} />
      <label className="row">
        <input type="checkbox" checked={r.readOnly} onChange={(e) => edit({ readOnly: e.target.checked })} />
        read-only
      </label>
    </>
  ),
};
