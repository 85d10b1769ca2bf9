/**
 * The dashboard's state. Lists are never polled: engine events mark them
 * stale and one debounced refetch follows a burst. The VM state comes from
 * the agent's events, so the header always tells the truth.
 */
import { create } from 'zustand';
import type { AgentStatus } from '../../../main/contract/berth-api';
import type { BerthApi, CallResults, ContainerStats, ContainerSummary, ImageSummary, Reply, VmUsage, VolumeSummary } from '../../../main/contract/berth-api';
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
  /** How many list refetches ran; the debounce test reads it. */
  refetches: number;
  setPage(p: Page): void;
  refreshStatus(): Promise<void>;
  refreshLists(): Promise<void>;
  run<T>(key: string, call: () => Promise<Reply<T>>): Promise<T | undefined>;
}

export const REFETCH_DEBOUNCE_MS = 150;
/** Two minutes of history at the agent's two-second interval. */
export const STATS_HISTORY = 60;

/** The VM is up (running, or running with a failing check): the selector every page uses. */
export const vmUp = (s: BerthState) => s.status?.state === 'running' || s.status?.state === 'degraded';
const keep = <T>(history: T[] | undefined, sample: T): T[] => [...(history ?? []).slice(-(STATS_HISTORY - 1)), sample];

/** Builds a store bound to one transport (Electron IPC or the WebSocket). */
export function createBerthStore(api: BerthApi) {
  const store = create<BerthState>((set, get) => ({
    page: 'containers',
    busy: {},
    containerStats: {},
    vmStats: [],
    refetches: 0,
    setPage: (page) => set({ page }),
    refreshStatus: async () => {
      const r = await api['vm.status']();
      if (r.ok) set({ status: r.value, settings: r.value.settings });
    },
    refreshLists: async () => {
      set((s) => ({ refetches: s.refetches + 1 }));
      if (!vmUp(get())) return set({ containers: [], images: [], volumes: [], containerStats: {}, vmStats: [] });
      const [c, i, v] = await Promise.all([api['containers.list'](), api['images.list'](), api['volumes.list']()]);
      set({ containers: c.ok ? c.value : get().containers, images: i.ok ? i.value : get().images, volumes: v.ok ? v.value : get().volumes, error: c.ok ? undefined : c.error.message });
    },
    run: async (key, call) => {
      set((s) => ({ busy: { ...s.busy, [key]: true } }));
      try {
        const r = await call();
        if (!r.ok) set({ error: r.error.message });
        return r.ok ? r.value : undefined;
      } finally {
        set((s) => ({ busy: { ...s.busy, [key]: false } }));
      }
    },
  }));
  const stale = debounce(() => void store.getState().refreshLists(), REFETCH_DEBOUNCE_MS);
  api.on('engine.changed', stale);
  api.on('vm.bootStage', ({ stage }) => store.setState({ bootStage: stage }));
  // Containers that stopped drop out of the next sample, and so out of the history.
  api.on('stats.containers', ({ containers }) =>
    store.setState((s) => ({ containerStats: Object.fromEntries(containers.map((c) => [c.id, keep(s.containerStats[c.id], c)])) })),
  );
  api.on('stats.vm', (u) => store.setState((s) => ({ vmStats: keep(s.vmStats, u) })));
  api.on('vm.state', () => {
    void store.getState().refreshStatus().then(stale);
  });
  return store;
}

export type BerthStore = ReturnType<typeof createBerthStore>;
