import { useEffect } from 'react';
import { engineStateLabel as engineState } from '../../../main/contract/ui-constants';
import { useApi, useBerth } from './context';

/**
 * Which engine the dashboard shows: Berth's own VM, or another Docker
 * context. Shown once a context besides Berth's own exists. A chosen engine
 * that does not answer says why next to it.
 */
export function EngineSwitcher() {
  const { api, store } = useApi();
  const engines = useBerth((s) => s.engines);
  const engine = useBerth((s) => s.engine);
  useEffect(() => void store.getState().refreshEngines(), [store]);
  if (engines.length === 0) return null;
  const chosen = engines.find((e) => e.name === engine);
  return (
    <span className="engine-switcher">
      <select aria-label="Engine" value={engine ?? ''} onChange={(e) => void store.getState().run('engine', () => api['engines.select'](e.target.value || null))}>
        <option value="">Berth VM</option>
        {engines.map((e) => (
          <option key={e.name} value={e.name} data-testid={`engine-${e.name}`}>
            {e.name} ({engineState(e)}){e.current ? ' · shell' : ''}
          </option>
        ))}
      </select>
      {chosen && (
        <span className="muted" data-testid="engine-note" title={chosen.host}>
          {chosen.reachable === false ? `unreachable: ${chosen.error ?? 'no answer'}` : chosen.engineVersion ? `Docker ${chosen.engineVersion} at ${chosen.host}` : chosen.host}
        </span>
      )}
    </span>
  );
}
