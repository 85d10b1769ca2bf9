import { lazy, Suspense, useEffect, useState } from 'react';
import type { ContainerSummary } from '../../../main/contract/berth-api';
import { useApi, useBerth } from './context';
import { bytes, percent } from './format';
import { holdLease } from '../api/lease';
import { LogView, MAX_LINES } from './log-view';
import { Sparkline } from './sparkline';
import { newWatcherId } from './use-stats-watch';

/** xterm.js loads with the first terminal opened, not with every page. */
const TerminalPanel = lazy(() => import('./terminal-panel').then((m) => ({ default: m.TerminalPanel })));

/**
 * A container's live logs (the last 500 lines, then streamed while "Follow"
 * is on, with their ANSI colours), its inspect data and its CPU and memory.
 */
export function LogsDrawer({ container, onClose }: { container: ContainerSummary; onClose: () => void }) {
  const [follow, setFollow] = useState(true);
  const [timestamps, setTimestamps] = useState(false);
  const { lines, ended, dropped } = useFollowedLogs(container.id, follow, timestamps);
  const terminals = useTerminalList(container.id);
  return (
    <aside className="drawer" role="dialog" aria-label={`Details of ${container.name}`}>
      <div className="toolbar">
        <h2>{container.name}</h2>
        <span className="spacer" />
        <label>
          <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} /> Follow
        </label>
        <label>
          <input type="checkbox" checked={timestamps} onChange={(e) => setTimestamps(e.target.checked)} /> Timestamps
        </label>
        {container.state === 'running' && (
          <button type="button" onClick={terminals.add}>
            Terminal
          </button>
        )}
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
      <Suspense fallback={<p className="muted">Opening a terminal…</p>}>
        {terminals.list.map((t) => (
          <TerminalPanel key={t.id} containerId={container.id} terminalId={t.id} title={`Terminal ${t.n}`} onClose={() => terminals.remove(t.id)} />
        ))}
      </Suspense>
      {container.state === 'running' && <ContainerGraphs id={container.id} />}
      <LogView lines={lines} dropped={dropped} name={container.name} placeholder={follow ? 'No output yet.' : 'Following is off.'} />
      {ended && <p className="muted">The container stopped; the log ends here.</p>}
      <InspectDetails container={container} />
    </aside>
  );
}

/** The drawer's open terminals, numbered as they were opened; all of them close with the drawer. */
function useTerminalList(containerId: string) {
  const [list, setList] = useState<{ id: string; n: number }[]>([]);
  const [count, setCount] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: another container's drawer starts with no terminals
  useEffect(() => {
    setList([]);
  }, [containerId]);
  return {
    list,
    add: () => {
      setList((l) => [...l, { id: newWatcherId(), n: count + 1 }]);
      setCount(count + 1);
    },
    remove: (id: string) => setList((l) => l.filter((t) => t.id !== id)),
  };
}

/** The container's log lines while `follow` is on: a leased `docker logs --follow` (with `--timestamps` if asked), batched by main. */
function useFollowedLogs(id: string, follow: boolean, timestamps: boolean): { lines: string[]; ended: boolean; dropped: boolean } {
  const { api } = useApi();
  const [lines, setLines] = useState<string[]>([]);
  const [ended, setEnded] = useState(false);
  const [dropped, setDropped] = useState(false);
  useEffect(() => {
    if (!follow) return;
    const watcher = newWatcherId();
    let partial = '';
    setLines([]);
    setEnded(false);
    setDropped(false);
    const off = api.on('containers.log', (chunk) => {
      if (chunk.watcher !== watcher) return;
      if (chunk.ended) return setEnded(true);
      const parts = (partial + chunk.text).split('\n');
      partial = parts.pop() ?? '';
      setLines((prev) => {
        const all = [...prev, ...parts];
        if (all.length > MAX_LINES) setDropped(true);
        return all.slice(-MAX_LINES);
      });
    });
    const letGo = holdLease(
      () => api['containers.followLogs'](id, watcher, MAX_LINES, timestamps),
      () => void api['containers.unfollowLogs'](watcher),
    );
    return () => {
      off();
      letGo();
    };
  }, [api, id, follow, timestamps]);
  return { lines, ended, dropped };
}

/** CPU and memory graphs; the Containers page around the drawer keeps the stats stream open. */
function ContainerGraphs({ id }: { id: string }) {
  const history = useBerth((s) => s.containerStats[id]) ?? [];
  const last = history.at(-1);
  return (
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
  );
}

/** The inspect facts people look for: command, ports, mounts, environment, labels. */
function InspectDetails({ container }: { container: ContainerSummary }) {
  const { api } = useApi();
  const [inspect, setInspect] = useState<Record<string, unknown>>();
  useEffect(() => {
    let alive = true;
    void api['containers.inspect'](container.id).then((r) => alive && r.ok && setInspect(r.value));
    return () => {
      alive = false;
    };
  }, [api, container.id]);
  if (!inspect) return null;
  const config = (inspect.Config ?? {}) as { Env?: string[]; Cmd?: string[]; Entrypoint?: string[]; Labels?: Record<string, string> };
  const mounts = (inspect.Mounts ?? []) as { Source?: string; Destination?: string; Name?: string; RW?: boolean }[];
  return (
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
        <dd>
          {Object.entries(config.Labels ?? {})
            .map(([k, v]) => `${k}=${v}`)
            .join(', ') || '—'}
        </dd>
      </dl>
    </details>
  );
}
