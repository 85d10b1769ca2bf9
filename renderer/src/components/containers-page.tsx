import { type RefObject, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { ContainerStats, ContainerSummary, RunResult } from '../../../main/contract/berth-api';
import { engineUp } from '../store/store';
import { useApi, useBerth } from './context';
import { bytes, percent, upFor } from './format';
import { CopyCommand } from './copy-command';
import { LogsDrawer } from './logs-drawer';
import { RunButton } from './run-dialog';
import { useListKeys } from './use-list-keys';
import { useStatsWatch } from './use-stats-watch';

type Action = 'start' | 'stop' | 'restart' | 'pause' | 'unpause' | 'remove';

function uptime(c: ContainerSummary, now: number): string {
  return c.state === 'running' && c.startedAt ? upFor(c.startedAt, now) : c.status;
}

/** A clock for the uptime column: the UI ticks, the backend is not asked again. */
function useNow(everyMs: number): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(t);
  }, [everyMs]);
  return now;
}

/** Containers grouped by compose project, with a search filter and actions. */
export function ContainersPage() {
  const { api } = useApi();
  const containers = useBerth((s) => s.containers);
  const stats = useBerth((s) => s.containerStats);
  useStatsWatch('containers');
  const now = useNow(1000);
  const running = useBerth(engineUp);
  const [filter, setFilter] = useState('');
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [logsFor, setLogsFor] = useState<string | undefined>();
  // The drawer follows the list: a container that starts or stops shows it there too (the Terminal button).
  const drawerFor = logsFor ? containers?.find((c) => c.id === logsFor) : undefined;
  const groups = useGroups(containers, filter);
  const filterBox = useRef<HTMLInputElement>(null);
  const rows = useMemo(() => groups.flatMap(([, list]) => list), [groups]);
  const cursor = useListKeys(
    rows,
    rowKey,
    filterBox,
    openDrawer(setLogsFor),
    useCallback(() => setLogsFor(undefined), []),
  );

  const { act, bulk } = useContainerActions(containers, selected, () => setSelected(new Set()));

  if (!running)
    return (
      <p className="empty">
        The VM is not running. Start it with Start above, or from a terminal: <CopyCommand command="berth start" />
      </p>
    );
  if (!containers) return <p className="empty">Loading containers…</p>;
  return (
    <section aria-label="Containers">
      <ContainersToolbar filterBox={filterBox} filter={filter} setFilter={setFilter} selected={selected.size} onBulk={(action) => void bulk(action)} onRun={(r) => setLogsFor(r.id)} />
      {containers.length === 0 ? (
        <p className="empty">
          No containers yet. Run one with Run… above, or from a terminal, and it shows here at once: <CopyCommand command="docker run -d -p 8080:80 nginx" />
        </p>
      ) : (
        <ContainersTable
          groups={groups}
          stats={stats}
          now={now}
          selected={selected}
          setSelected={setSelected}
          cursor={cursor}
          onLogs={(c) => setLogsFor(c.id)}
          onOpen={(port) => void api['app.openExternal'](`http://localhost:${port}`)}
          onAct={(c, action) => void act(c, action)}
        />
      )}
      {drawerFor && <LogsDrawer container={drawerFor} onClose={() => setLogsFor(undefined)} />}
    </section>
  );
}

/** Acting on one container, or on the selected ones; removing a running one asks first. */
function useContainerActions(containers: ContainerSummary[] | undefined, selected: Set<string>, clearSelection: () => void) {
  const { api, store } = useApi();
  const act = async (c: ContainerSummary, action: Action) => {
    if (action === 'remove' && c.state === 'running' && !confirm(`Remove the running container ${c.name}?`)) return;
    await store.getState().run(`c:${c.id}`, () => api['containers.action'](c.id, action));
    await store.getState().refreshLists();
  };
  const bulk = async (action: Action) => {
    const chosen = (containers ?? []).filter((c) => selected.has(c.id));
    if (action === 'remove' && chosen.some((c) => c.state === 'running') && !confirm(`Remove ${chosen.length} containers, some running?`)) return;
    for (const c of chosen) await store.getState().run(`c:${c.id}`, () => api['containers.action'](c.id, action));
    clearSelection();
    await store.getState().refreshLists();
  };
  return { act, bulk };
}

const rowKey = (c: ContainerSummary) => c.id;
/** Opening a row from the keyboard opens its drawer. */
const openDrawer = (set: (id: string) => void) => (c: ContainerSummary) => set(c.id);

/** The filter, and the bulk actions once some containers are selected. */
function ContainersToolbar(p: {
  filterBox: RefObject<HTMLInputElement | null>;
  filter: string;
  setFilter: (f: string) => void;
  selected: number;
  onBulk: (action: Action) => void;
  onRun: (r: RunResult) => void;
}) {
  return (
    <div className="toolbar">
      <input ref={p.filterBox} type="search" placeholder="Filter by name or image (/)" aria-label="Filter containers" value={p.filter} onChange={(e) => p.setFilter(e.target.value)} />
      {p.selected > 0 && (
        <>
          <span className="muted">{p.selected} selected</span>
          <button type="button" onClick={() => p.onBulk('stop')}>
            Stop
          </button>
          <button type="button" onClick={() => p.onBulk('remove')}>
            Remove
          </button>
        </>
      )}
      <span className="spacer" />
      <RunButton onStarted={p.onRun} />
    </div>
  );
}

/** Containers matching the filter, grouped by compose project (ungrouped first). */
function useGroups(containers: ContainerSummary[] | undefined, filter: string): [string, ContainerSummary[]][] {
  return useMemo(() => {
    const q = filter.toLowerCase();
    const list = (containers ?? []).filter((c) => !q || c.name.toLowerCase().includes(q) || c.image.toLowerCase().includes(q));
    const by = new Map<string, ContainerSummary[]>();
    for (const c of list) {
      const k = c.composeProject ?? '';
      by.set(k, [...(by.get(k) ?? []), c]);
    }
    return [...by.entries()].sort(([a], [b]) => a.localeCompare(b));
  }, [containers, filter]);
}

interface RowProps {
  c: ContainerSummary;
  /** The keyboard's cursor is on this row. */
  cursor: boolean;
  latest?: ContainerStats;
  now: number;
  selected: boolean;
  onSelect(on: boolean): void;
  onLogs(): void;
  onOpen(port: number): void;
  onAct(action: Action): void;
}

/** One container: its facts, live CPU and memory, and its actions. */
function ContainerRow({ c, cursor, latest, now, selected, onSelect, onLogs, onOpen, onAct }: RowProps) {
  return (
    <tr data-testid={`container-${c.name}`} className={cursor ? 'cursor' : undefined} aria-current={cursor ? 'true' : undefined}>
      <td>
        <input type="checkbox" aria-label={`Select ${c.name}`} checked={selected} onChange={(e) => onSelect(e.target.checked)} />
      </td>
      <td>
        <button type="button" className="link nowrap" onClick={onLogs}>
          {c.name}
        </button>
      </td>
      <td>{c.image}</td>
      <td>
        <span className={`badge badge-${c.state}`}>{c.state}</span>
      </td>
      <td className="nowrap">{uptime(c, now)}</td>
      <td>
        {c.ports.map((p) => (
          <button type="button" key={`${p.host}/${p.proto}`} className="link" onClick={() => onOpen(p.host)}>
            {p.host}:{p.container}/{p.proto}
          </button>
        ))}
      </td>
      <td className="num" data-testid="cpu">
        {c.state === 'running' ? percent(latest?.cpuPercent) : ''}
      </td>
      <td className="num" data-testid="memory">
        {c.state === 'running' ? bytes(latest?.memoryBytes) : ''}
      </td>
      <td>
        <ContainerActions c={c} onAct={onAct} />
      </td>
    </tr>
  );
}

/** The actions a container's state allows, and Remove. */
function ContainerActions({ c, onAct }: { c: ContainerSummary; onAct(action: Action): void }) {
  const button = (action: Action, label: string) => (
    <button type="button" onClick={() => onAct(action)} aria-label={`${label} ${c.name}`}>
      {label}
    </button>
  );
  return (
    <div className="actions">
      {c.state === 'running' ? (
        <>
          {button('stop', 'Stop')}
          {button('restart', 'Restart')}
          {button('pause', 'Pause')}
        </>
      ) : c.state === 'paused' ? (
        button('unpause', 'Unpause')
      ) : (
        button('start', 'Start')
      )}
      {button('remove', 'Remove')}
    </div>
  );
}

interface TableProps {
  groups: [string, ContainerSummary[]][];
  stats: Record<string, ContainerStats[]>;
  now: number;
  selected: Set<string>;
  setSelected(next: Set<string>): void;
  cursor?: string;
  onLogs(c: ContainerSummary): void;
  onOpen(port: number): void;
  onAct(c: ContainerSummary, action: Action): void;
}

/** The containers, one body per compose project. */
function ContainersTable({ groups, stats, now, selected, setSelected, cursor, onLogs, onOpen, onAct }: TableProps) {
  return (
    <table className="containers">
      <thead>
        <tr>
          <th scope="col">
            <span className="sr-only">Select</span>
          </th>
          <th scope="col">Name</th>
          <th scope="col">Image</th>
          <th scope="col">State</th>
          <th scope="col">Uptime</th>
          <th scope="col">Ports</th>
          <th scope="col" className="num">
            CPU
          </th>
          <th scope="col" className="num">
            Memory
          </th>
          <th scope="col">Actions</th>
        </tr>
      </thead>
      {groups.map(([project, list]) => (
        <tbody key={project || '-'}>
          {project && (
            <tr className="group">
              <th colSpan={9} scope="rowgroup">
                {project}
              </th>
            </tr>
          )}
          {list.map((c) => (
            <ContainerRow
              key={c.id}
              c={c}
              cursor={cursor === c.id}
              latest={stats[c.id]?.at(-1)}
              now={now}
              selected={selected.has(c.id)}
              onSelect={(on) => {
                const next = new Set(selected);
                if (on) next.add(c.id);
                else next.delete(c.id);
                setSelected(next);
              }}
              onLogs={() => onLogs(c)}
              onOpen={onOpen}
              onAct={(action) => onAct(c, action)}
            />
          ))}
        </tbody>
      ))}
    </table>
  );
}
