/**
 * A MOCK backend: the whole contract answered from memory, with made-up
 * containers and stats. It exists for fast UI work (`npm run dashboard:mock`)
 * and component tests. It never talks to a VM; the header says "Mock backend"
 * whenever it is in use, and the real-VM tests never load it.
 */
import type { AgentStatus } from '../../../main/contract/berth-api';
import type { BerthApi, BerthEvents, CallArgs, CallName, CallResults, ContainerSummary, EngineEntry, EventName, ImageSummary, StatsTopic, VolumeSummary } from '../../../main/contract/berth-api';
import type { LoginItemState, Settings, SyncFolderStatus } from '../../../main/contract/berth-api';
import { makeBerthApi } from '../../../main/contract/client-factory';
import { mockEngineActions } from './mock-engine-actions';

/** What a test or the mock dev mode can reach besides the API itself. */
export interface MockBackend {
  api: BerthApi;
  /** Every call as `name(arg,arg)`, in order. */
  calls: string[];
  /** Pushes an event to the UI as main would. */
  fire<E extends EventName>(event: E, payload: BerthEvents[E]): void;
  world: MockWorld;
}

export interface MockWorld {
  state: AgentStatus['state'];
  containers: ContainerSummary[];
  images: ImageSummary[];
  volumes: VolumeSummary[];
  settings: Settings;
  loginItem: LoginItemState;
  /** A fallback to software emulation the mock reports, if any. */
  accelFallback?: string;
  /** Made-up Docker contexts besides Berth's own, and the one the lists come from (null: the VM). */
  engines: EngineEntry[];
  engine: string | null;
  /** Made-up synchronized folders. */
  sync: SyncFolderStatus[];
}

const MOCK_SETTINGS: Settings = {
  cpus: 4,
  memoryMiB: 4096,
  diskGiB: 64,
  socketPath: '',
  enginePort: 0,
  sharedPaths: [],
  syncedPaths: [],
  accelerator: 'auto',
  qemuPath: '',
  containerdImageStore: false,
  engine: {},
  idleSleep: true,
  idleSleepMinutes: 5,
  startAtLogin: false,
  startVmOnLaunch: false,
  stopVmOnQuit: true,
} as Settings;

const container = (name: string, image: string, state: string, project?: string, port?: number): ContainerSummary => ({
  id: `mock-${name}`,
  name,
  image,
  state,
  status: state === 'running' ? 'Up 12 minutes' : 'Exited (0) 3 hours ago',
  created: 1_700_000_000,
  ports: port ? [{ host: port, container: 80, proto: 'tcp' }] : [],
  composeProject: project,
});

/** The made-up world the mock starts from; `empty` starts with no containers, images or volumes. */
export function mockWorld(opts: { state?: AgentStatus['state']; empty?: boolean } = {}): MockWorld {
  const empty = opts.empty ?? false;
  return {
    state: opts.state ?? 'running',
    containers: empty
      ? []
      : [container('shop-web-1', 'shop-web:latest', 'running', 'shop', 8080), container('shop-db-1', 'postgres:16', 'running', 'shop'), container('scratch', 'busybox:latest', 'exited')],
    images: empty
      ? []
      : [
          { id: 'sha256:mock-web', tags: ['shop-web:latest'], size: 182_000_000, created: 1_700_000_000, usedBy: ['shop-web-1'] },
          { id: 'sha256:mock-bb', tags: ['busybox:latest'], size: 4_300_000, created: 1_690_000_000, usedBy: ['scratch'] },
        ],
    volumes: empty ? [] : [{ name: 'shop_pgdata', size: 48_000_000, usedBy: ['shop-db-1'] }],
    settings: { ...MOCK_SETTINGS },
    loginItem: { enabled: false, needsApproval: false },
    engines: [],
    engine: null,
    sync: [],
  };
}

export type Fire = <E extends EventName>(event: E, payload: BerthEvents[E]) => void;
type MockHandlers = { [K in CallName]: (...a: CallArgs<K>) => CallResults[K] };

/** What the mock's status call answers for the world's state. */
function mockStatus(world: MockWorld): AgentStatus {
  return {
    state: world.state,
    checks: world.state === 'running' ? [{ name: 'engine-tls', status: 'passed', hint: 'mock' }] : [],
    agentPid: 0,
    socketPath: '/mock/docker.sock',
    dockerHost: 'unix:///mock/docker.sock',
    dockerHostExport: 'export DOCKER_HOST=unix:///mock/docker.sock',
    engineVersion: world.state === 'running' ? 'mock' : undefined,
    accelFallback: world.accelFallback,
    settings: world.settings,
    pendingRestart: [],
    sharedPaths: [],
    sync: world.sync,
    ports: [],
    portConflicts: [],
  } as AgentStatus;
}

/** One made-up stats frame for a topic; `tick` moves the waves along. */
function fireMockSample(world: MockWorld, fire: Fire, topic: StatsTopic, tick: number): void {
  const wave = (phase: number) => 20 + 15 * Math.sin(tick / 3 + phase);
  if (topic === 'containers') {
    fire('stats.containers', {
      at: Date.now(),
      containers: world.containers.filter((c) => c.state === 'running').map((c, i) => ({ id: c.id, cpuPercent: wave(i), memoryBytes: (40 + 10 * i + wave(i)) * 1e6, memoryLimitBytes: 4e9 })),
    });
  } else {
    fire('stats.vm', {
      at: Date.now(),
      cpuPercent: wave(0),
      cpus: world.settings.cpus,
      hostResidentBytes: 900e6,
      memoryBytes: world.settings.memoryMiB * 1048576,
      guest: { totalBytes: 4e9, availableBytes: 3.2e9 - wave(1) * 1e7, usedBytes: 0.8e9 + wave(1) * 1e7, cacheBytes: 3e8 },
      disk: { allocatedBytes: 2.1e9, path: '/mock/data.qcow2' },
    });
  }
}

/** The VM and container calls, changing the world and firing the events main would. */
function vmAndContainerHandlers(world: MockWorld, fire: Fire) {
  const status = () => mockStatus(world);
  const setState = (state: AgentStatus['state']) => {
    world.state = state;
    fire('vm.state', { state });
    return status();
  };
  const byId = (id: string) => world.containers.find((c) => c.id === id || c.name === id);
  return {
    'vm.status': status,
    'vm.start': () => setState('running'),
    'vm.stop': () => setState('stopped'),
    'vm.restart': () => setState('running'),
    'vm.reset': () => {
      setState('stopped');
      return null;
    },
    'vm.retryAccel': () => {
      world.accelFallback = undefined;
      return setState('running');
    },
    'vm.clock': () => ({ guest: '2026-01-01T12:00:00.000Z', host: '2026-01-01T12:00:00.200Z', skewMs: -200 }),
    'containers.list': () => world.containers,
    'containers.action': (id, action) => {
      const c = byId(id);
      if (!c) throw new Error(`no such container: ${id}`);
      if (action === 'remove') world.containers = world.containers.filter((x) => x !== c);
      else c.state = { start: 'running', restart: 'running', unpause: 'running', stop: 'exited', pause: 'paused' }[action];
      fire('engine.changed', { kind: 'container' });
      return null;
    },
    'containers.inspect': (id) => ({ Id: id, Config: { Cmd: ['sh', '-c', 'serve'], Env: ['MOCK=1'], Labels: {} }, Mounts: [] }),
    'containers.logs': (id) => `mock log line from ${byId(id)?.name ?? id}\n\x1b[32mready\x1b[0m\n`,
    'containers.followLogs': (id, watcher, _lines, timestamps) => {
      const name = byId(id)?.name ?? id;
      const at = timestamps ? '2026-01-01T00:00:00.000000000Z ' : '';
      queueMicrotask(() => fire('containers.log', { watcher, id, text: `${at}mock log line from ${name}\n${at}\x1b[32mready\x1b[0m on port 80\n` }));
      return { intervalMs: 0, leaseMs: 10_000 };
    },
    'containers.unfollowLogs': () => null,
    // A mock shell: it answers each line with what a shell would have been asked, and runs nothing.
    'terminal.open': (id, terminal) => {
      queueMicrotask(() => fire('terminal.output', { terminal, data: `mock shell in ${byId(id)?.name ?? id}\r\n$ ` }));
      return { intervalMs: 0, leaseMs: 10_000 };
    },
    'terminal.input': (terminal, data) => {
      queueMicrotask(() => fire('terminal.output', { terminal, data: data.replace(/\r/g, '\r\n(mock: nothing runs here)\r\n$ ') }));
      return null;
    },
    'terminal.resize': () => null,
    'terminal.close': () => null,
  } satisfies Partial<MockHandlers>;
}

/** Images, volumes, disk, stats, settings and the host calls; `live` streams stats on a timer while watched. */
function otherHandlers(world: MockWorld, fire: Fire, live: boolean) {
  const timers = new Map<StatsTopic, ReturnType<typeof setInterval>>();
  let tick = 0;
  const sample = (topic: StatsTopic) => fireMockSample(world, fire, topic, ++tick);
  return {
    'sync.resume': (path: string) => {
      world.sync = world.sync.map((f) => (f.hostPath === path ? { ...f, state: 'watching' as const, paused: undefined } : f));
      fire('sync.changed', { folders: world.sync });
      return world.sync;
    },
    'images.list': () => world.images,
    'images.remove': (id) => {
      world.images = world.images.filter((i) => i.id !== id);
      return null;
    },
    'images.prune': () => ({ reclaimed: 0 }),
    'volumes.list': () => world.volumes,
    'volumes.remove': (name) => {
      world.volumes = world.volumes.filter((v) => v.name !== name);
      return null;
    },
    'volumes.prune': () => ({ reclaimed: 0 }),
    'system.df': () => ({ images: 186_300_000, containers: 1_200_000, volumes: 48_000_000, buildCache: 0 }),
    'system.reclaim': ({ volumes }) => ({
      reclaimedBytes: 1_200_000,
      removed: { containers: 1, images: 0, volumes: volumes ? 1 : 0, networks: 0, buildCache: 0 },
      diskBefore: 2.1e9,
      diskAfter: 2.0e9,
    }),
    'stats.watch': (topic) => {
      if (live && !timers.has(topic))
        timers.set(
          topic,
          setInterval(() => sample(topic), 2000),
        );
      if (live) sample(topic);
      return { intervalMs: 2000, leaseMs: 10_000 };
    },
    'stats.unwatch': (topic) => {
      clearInterval(timers.get(topic));
      timers.delete(topic);
      return null;
    },
    'settings.get': () => world.settings,
    'settings.update': (patch) => {
      world.settings = { ...world.settings, ...(patch as Partial<Settings>) };
      return world.settings;
    },
    'loginItem.get': () => world.loginItem,
    'loginItem.set': (v) => {
      world.loginItem = { enabled: v, needsApproval: false };
      return world.loginItem;
    },
    'loginItem.openSettings': () => null,
    'logs.tail': (which) => `mock ${which} log\n`,
    'app.openExternal': () => null,
  } satisfies Partial<MockHandlers>;
}

/** Builds the mock. `live` streams made-up stats on a timer while watched (the dev mode); tests leave it off. */
export function createMockBackend(opts: { world?: MockWorld; live?: boolean } = {}): MockBackend {
  const world = opts.world ?? mockWorld();
  const calls: string[] = [];
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  const fire: Fire = (event, payload) => {
    for (const l of listeners.get(event) ?? []) l(payload);
  };
  const handlers: MockHandlers = { ...vmAndContainerHandlers(world, fire), ...otherHandlers(world, fire, !!opts.live), ...mockEngineActions(world, fire) };
  const api = makeBerthApi({
    subscribe: (event, l) => {
      const set = listeners.get(event) ?? new Set();
      set.add(l);
      listeners.set(event, set);
      return () => set.delete(l);
    },
    call: async (name, args) => {
      calls.push(`${name}(${args.map((a) => (typeof a === 'object' ? JSON.stringify(a) : String(a))).join(',')})`);
      try {
        return { ok: true, value: (handlers[name] as (...a: unknown[]) => unknown)(...args) };
      } catch (e) {
        return { ok: false, error: { code: 'failed', message: (e as Error).message } };
      }
    },
  });
  return { api, calls, fire, world };
}
