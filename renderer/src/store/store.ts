/**
 * The dashboard's state. Lists are never polled: engine events mark them
 * stale and one debounced refetch follows a burst. The VM state comes from
 * the agent's events, so the header always tells the truth.
 */
import { create } from 'zustand';
import type { AgentStatus } from '../../../main/agent/control-api';
import type { BerthApi, CallResults, ContainerSummary, ImageSummary, Reply, VolumeSummary } from '../../../main/contract/berth-api';
import type { Settings } from '../../../main/settings/settings-schema';
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
  /** How many list refetches ran; the debounce test reads it. */
  refetches: number;
  setPage(p: Page): void;
  refreshStatus(): Promise<void>;
  refreshLists(): Promise<void>;
  run<T>(key: string, call: () => Promise<Reply<T>>): Promise<T | undefined>;
}

export const REFETCH_DEBOUNCE_MS = 150;

/** Builds a store bound to one transport (Electron IPC or the WebSocket). */
export function createBerthStore(api: BerthApi) {
  const store = create<BerthState>((set, get) => ({
    page: 'containers',
    busy: {},
    refetches: 0,
    setPage: (page) => set({ page }),
    refreshStatus: async () => {
      const r = await api['vm.status']();
      if (r.ok) set({ status: r.value, settings: r.value.settings });
    },
    refreshLists: async () => {
      set((s) => ({ refetches: s.refetches + 1 }));
      const up = get().status?.state === 'running' || get().status?.state === 'degraded';
      if (!up) return set({ containers: [], images: [], volumes: [] });
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
  api.on('vm.state', () => {
    void store.getState().refreshStatus().then(stale);
  });
  return store;
}

export type BerthStore = ReturnType<typeof createBerthStore>;
