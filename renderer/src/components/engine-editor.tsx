import { useState } from 'react';
import type { Settings } from '../../../main/contract/berth-api';
import { useApi } from './context';

/** Docker Desktop's "Docker Engine" page: the user's daemon.json, checked by the agent, applied at the next restart. */
export function EngineEditor({ settings }: { settings: Settings }) {
  const { api, store } = useApi();
  const [text, setText] = useState(() => JSON.stringify(settings.engine, null, 2));
  const [problem, setProblem] = useState<string>();
  const [saved, setSaved] = useState(false);
  const apply = async () => {
    setSaved(false);
    let engine: unknown;
    try {
      engine = JSON.parse(text);
    } catch (e) {
      setProblem(`Not JSON: ${(e as Error).message}`);
      return;
    }
    const r = await api['settings.update']({ engine });
    if (!r.ok) return setProblem(r.error.message);
    setProblem(undefined);
    setSaved(true);
    store.setState({ settings: r.value });
  };
  return (
    <div className="form">
      <h2>Docker Engine</h2>
      <p className="muted">The engine's daemon.json: registry mirrors, insecure registries, log options, features. Empty means Docker's own defaults. Applies at the next restart.</p>
      <textarea aria-label="Engine configuration (daemon.json)" rows={10} spellCheck={false} value={text} onChange={(e) => setText(e.target.value)} />
      {problem && (
        <p role="alert" className="notice">
          {problem}
        </p>
      )}
      {saved && <p className="muted">Saved; restart the VM to apply it.</p>}
      <button type="button" onClick={() => void apply()}>
        Apply
      </button>
    </div>
  );
}
