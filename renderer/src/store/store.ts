/**
 * The dashboard's state, in slices: the VM (status, boot stage, usage), the
 * lists (containers, images, volumes) and the page-independent UI bits (busy
 * keys, the last error). Lists are never polled: engine events mark them
 * stale, one debounced refetch follows a burst, and it asks only for the
 * lists the visible page shows (the volumes list costs a `system df`). The VM
 * state comes from the agent's events, so the header always tells the truth.
 */
import { create } from 'zustand';
import type { AgentStatus } from '../../../main/contract/berth-api';
import type { BerthApi, CallResults, ContainerStats, ContainerSummary, EngineEntry, ImageSummary, Reply, VmUsage, VolumeSummary } from '../../../main/contract/berth-api';
import type { Settings } from '../../../main/contract/berth-api';
import { debounce } from './debounce';

export type Page = 'containers' | 'images' | 'volumes' | 'resources' | 'settings' | 'troubleshoot';

export interface BerthState {
  page: Page;
  status?: AgentStatus;
  bootStage?: string;
  containers?: ContainerSummary[];
  images?: ImageSummary[];
  volumes?: VolumeSummary[];
  df?: CallResults['system.df'];
  settings?: Settings;
  error?: string;
  busy: Record<string, boolean>;
  /** Recent samples per running container, newest last; filled only while a page watches them. */
  containerStats: Record<string, ContainerStats[]>;
  /** Recent samples of the VM's usage, newest last. */
  vmStats: VmUsage[];
  /** The engine the lists come from: null for Berth's own VM, else a Docker context's name. */
  engine: string | null;
  /** The other engines (Docker contexts) and their last known reachability. */
  engines: EngineEntry[];
  setPage(p: Page): void;
  refreshEngines(): Promise<void>;
  refreshStatus(): Promise<void>;
  refreshLists(): Promise<void>;
  run<T>(key: string, call: () => Promise<Reply<T>>): Promise<T | undefined>;
}

export const REFETCH_DEBOUNCE_MS = 150;

type ListName = 'containers' | 'images' | 'volumes';
/** The lists each page shows; a refetch asks for these only. */
export const PAGE_LISTS: Readonly<Record<Page, readonly ListName[]>> = {
  containers: ['containers'],
  images: ['images'],
  volumes: ['volumes'],
  resources: [],
  settings: [],
  troubleshoot: [],
};
/** Two minutes of history at the agent's two-second interval. */
export const STATS_HISTORY = 60;

/** The VM is up (running, or running with a failing check): the selector every VM page uses. */
export const vmUp = (s: BerthState) => s.status?.state === 'running' || s.status?.state === 'degraded';
/** The pages show another Docker context's engine, not Berth's VM. */
export const showsRemote = (s: BerthState) => s.engine !== null;
/** The engine the lists come from can be asked: another context always (it answers or says why), Berth's own while its VM is up. */
export const engineUp = (s: BerthState) => showsRemote(s) || vmUp(s);
const keep = <T>(history: T[] | undefined, sample: T): T[] => [...(history ?? []).slice(-(STATS_HISTORY - 1)), sample];

/** Builds a store bound to one transport (Electron IPC or the WebSocket). */
export function createBerthStore(api: BerthApi) {
  const store = create<BerthState>((set, get) => ({
    ...vmSlice(api, set),
    ...listsSlice(api, set, get),
    ...uiSlice(set),
    ...enginesSlice(api, set),
  }));
  const stale = debounce(() => void store.getState().refreshLists(), REFETCH_DEBOUNCE_MS);
  api.on('engine.changed', stale);
  api.on('vm.bootStage', ({ stage }) => store.setState({ bootStage: stage }));
  // Containers that stopped drop out of the next sample, and so out of the history.
  api.on('stats.containers', ({ containers }) => store.setState((s) => ({ containerStats: Object.fromEntries(containers.map((c) => [c.id, keep(s.containerStats[c.id], c)])) })));
  api.on('stats.vm', (u) => store.setState((s) => ({ vmStats: keep(s.vmStats, u) })));
  api.on('engines.changed', () => void store.getState().refreshEngines());
  api.on('sync.changed', ({ folders }) => store.setState((s) => ({ status: s.status && { ...s.status, sync: folders } })));
  api.on('engine.selected', ({ selected }) => {
    store.setState((s) => ({ engine: selected, containerStats: {}, page: selected !== null && s.page === 'resources' ? 'containers' : s.page }));
    stale();
  });
  api.on('vm.state', () => {
    void store.getState().refreshStatus().then(stale);
  });
  return store;
}

export type BerthStore = ReturnType<typeof createBerthStore>;

type SetState = (partial: Partial<BerthState> | ((s: BerthState) => Partial<BerthState>)) => void;
type Get = () => BerthState;

/** The VM: its status and settings as the agent reports them, and its usage history. */
function vmSlice(api: BerthApi, set: SetState) {
  return {
    vmStats: [] as VmUsage[],
    refreshStatus: async () => {
      const r = await api['vm.status']();
      // A status that cannot be had (a dashboard link used already, a server gone) is said, not left blank.
      set(r.ok ? { status: r.value, settings: r.value.settings } : { error: r.error.message });
    },
  };
}

/** Containers, images and volumes: fetched for the visible page only, and again when it changes. */
function listsSlice(api: BerthApi, set: SetState, get: Get) {
  const fetchers: Record<ListName, () => Promise<Reply<unknown>>> = {
    containers: () => api['containers.list'](),
    images: () => api['images.list'](),
    volumes: () => api['volumes.list'](),
  };
  return {
    page: 'containers' as Page,
    containerStats: {} as Record<string, ContainerStats[]>,
    setPage: (page: Page) => {
      set({ page });
      void get().refreshLists();
    },
    refreshLists: async () => {
      if (!engineUp(get())) return set({ containers: [], images: [], volumes: [], containerStats: {}, vmStats: [] });
      const wanted = PAGE_LISTS[get().page];
      const replies = await Promise.all(wanted.map((l) => fetchers[l]()));
      const next: Partial<BerthState> = { error: undefined };
      wanted.forEach((l, i) => {
        const r = replies[i];
        if (r.ok) Object.assign(next, { [l]: r.value });
        else next.error = r.error.message;
      });
      set(next);
    },
  };
}

/** The other engines, and which one the lists come from (main owns the choice; this mirrors it). */
function enginesSlice(api: BerthApi, set: SetState) {
  return {
    engine: null as string | null,
    engines: [] as EngineEntry[],
    refreshEngines: async () => {
      const r = await api['engines.list']();
      if (r.ok) set({ engines: r.value.engines, engine: r.value.selected });
    },
  };
}

/** What every page shares: which actions are running, and the last error. */
function uiSlice(set: SetState) {
  return {
    busy: {} as Record<string, boolean>,
    run: async <T>(key: string, call: () => Promise<Reply<T>>): Promise<T | undefined> => {
      set((s) => ({ busy: { ...s.busy, [key]: true } }));
      try {
        const r = await call();
        if (!r.ok) set({ error: r.error.message });
        return r.ok ? r.value : undefined;
      } finally {
        set((s) => ({ busy: { ...s.busy, [key]: false } }));
      }
    },
  };
}
