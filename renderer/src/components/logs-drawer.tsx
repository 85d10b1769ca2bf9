import { useEffect, useState } from 'react';
import type { ContainerSummary } from '../../../main/contract/berth-api';
import { useApi, useBerth } from './context';
import { bytes, percent } from './format';
import { Sparkline } from './sparkline';

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;

/** A container's logs and its inspect data. Logs refresh while the drawer is open and "follow" is on. */
export function LogsDrawer({ container, onClose }: { container: ContainerSummary; onClose: () => void }) {
  const { api } = useApi();
  const [logs, setLogs] = useState('');
  const [search, setSearch] = useState('');
  const [follow, setFollow] = useState(true);
  const [inspect, setInspect] = useState<Record<string, unknown>>();
  // The Containers page around this drawer keeps the stats stream open.
  const history = useBerth((s) => s.containerStats[container.id]) ?? [];
  const last = history.at(-1);
  useEffect(() => {
    let alive = true;
    const load = async () => {
      const r = await api['containers.logs'](container.id, 500);
      if (alive && r.ok) setLogs(r.value.replace(ANSI, ''));
    };
    void load();
    void api['containers.inspect'](container.id).then((r) => alive && r.ok && setInspect(r.value));
    const t = follow ? setInterval(load, 1000) : undefined;
    return () => {
      alive = false;
      clearInterval(t);
    };
  }, [api, container.id, follow]);
  const lines = logs.split('\n').filter((l) => !search || l.includes(search));
  const config = (inspect?.Config ?? {}) as { Env?: string[]; Cmd?: string[]; Entrypoint?: string[]; Labels?: Record<string, string> };
  const mounts = (inspect?.Mounts ?? []) as { Source?: string; Destination?: string; Name?: string; RW?: boolean }[];
  return (
    <aside className="drawer" role="dialog" aria-label={`Details of ${container.name}`}>
      <div className="toolbar">
        <h2>{container.name}</h2>
        <span className="spacer" />
        <label>
          <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} /> Follow
        </label>
        <input type="search" placeholder="Search logs" aria-label="Search logs" value={search} onChange={(e) => setSearch(e.target.value)} />
        <button onClick={onClose}>Close</button>
      </div>
      {container.state === 'running' && (
        <div className="graphs">
          <Sparkline label="CPU" testId="container-cpu-graph" values={history.map((h) => h.cpuPercent ?? 0)} max={100} valueText={percent(last?.cpuPercent)} />
          <Sparkline
            label="Memory"
            testId="container-memory-graph"
            values={history.map((h) => h.memoryBytes)}
            max={Math.max(...history.map((h) => h.memoryBytes), 1) * 1.25}
            valueText={last ? `${bytes(last.memoryBytes)} of ${bytes(last.memoryLimitBytes)}` : '—'}
          />
        </div>
      )}
      <pre className="logs" data-testid="logs">{lines.join('\n')}</pre>
      {inspect && (
        <details>
          <summary>Inspect</summary>
          <dl>
            <dt>Command</dt>
            <dd>{[...(config.Entrypoint ?? []), ...(config.Cmd ?? [])].join(' ') || '—'}</dd>
            <dt>Ports</dt>
            <dd>{container.ports.map((p) => `127.0.0.1:${p.host} → ${p.container}/${p.proto}`).join(', ') || '—'}</dd>
            <dt>Mounts</dt>
            <dd>{mounts.map((m) => `${m.Name ?? m.Source} → ${m.Destination}${m.RW === false ? ' (read-only)' : ''}`).join(', ') || '—'}</dd>
            <dt>Environment</dt>
            <dd>{(config.Env ?? []).join(', ')}</dd>
            <dt>Labels</dt>
            <dd>{Object.entries(config.Labels ?? {}).map(([k, v]) => `${k}=${v}`).join(', ') || '—'}</dd>
          </dl>
        </details>
      )}
    </aside>
  );
}
