import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { createMockBackend, mockWorld } from '../api/mock-backend';
import { createBerthStore, REFETCH_DEBOUNCE_MS, STATS_HISTORY } from './store';

/** The mock backend (named as such): answers every call, lets the test fire events. */
function mockApi() {
  const m = createMockBackend({ world: mockWorld({ empty: true }) });
  return { api: m.api, fire: m.fire, calls: m.calls };
}

describe('dashboard store', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  test('a burst of 100 engine events causes one refetch, not 100', async () => {
    const m = mockApi();
    const store = createBerthStore(m.api);
    await store.getState().refreshStatus();
    for (let i = 0; i < 100; i++) {
      m.fire('engine.changed', { kind: 'container' });
      await vi.advanceTimersByTimeAsync(REFETCH_DEBOUNCE_MS / 10);
    }
    await vi.advanceTimersByTimeAsync(REFETCH_DEBOUNCE_MS * 2);
    // The containers page is showing: each refetch asks for its list once, through the contract.
    const refetches = m.calls.filter((c) => c === 'containers.list()').length;
    expect(refetches).toBeLessThanOrEqual(2);
    expect(refetches).toBeGreaterThanOrEqual(1);
  });

  test('a status the transport cannot get is shown as the error, in its own words', async () => {
    const m = mockApi();
    const api = { ...m.api, 'vm.status': async () => ({ ok: false as const, error: { code: 'disconnected', message: 'no session here' } }) };
    const store = createBerthStore(api);
    await store.getState().refreshStatus();
    expect(store.getState().error).toBe('no session here');
    expect(store.getState().status).toBeUndefined();
  });

  test('a VM state event refreshes the status, then the lists', async () => {
    const m = mockApi();
    const store = createBerthStore(m.api);
    m.fire('vm.state', { state: 'running' });
    await vi.advanceTimersByTimeAsync(REFETCH_DEBOUNCE_MS * 2);
    expect(store.getState().status?.state).toBe('running');
    expect(m.calls).toContain('containers.list()');
  });

  test('a refetch asks only for the lists the visible page shows; opening a page fetches its list', async () => {
    const m = mockApi();
    const store = createBerthStore(m.api);
    m.fire('vm.state', { state: 'running' });
    await vi.advanceTimersByTimeAsync(REFETCH_DEBOUNCE_MS * 2);
    const lists = () => m.calls.filter((c) => /^(containers|images|volumes)\.list/.test(c));
    expect(lists()).toEqual(['containers.list()']);
    store.getState().setPage('settings');
    m.fire('engine.changed', { kind: 'container' });
    await vi.advanceTimersByTimeAsync(REFETCH_DEBOUNCE_MS * 2);
    // The volumes list runs `system df` in the engine: a page that does not show it never asks.
    expect(lists()).toEqual(['containers.list()']);
    store.getState().setPage('volumes');
    await vi.advanceTimersByTimeAsync(0);
    expect(lists()).toEqual(['containers.list()', 'volumes.list()']);
  });

  test('boot stages from the agent drive the progress', () => {
    const m = mockApi();
    const store = createBerthStore(m.api);
    m.fire('vm.bootStage', { stage: 'dockerd' });
    expect(store.getState().bootStage).toBe('dockerd');
  });

  test('stats events keep a bounded history per running container; stopped ones drop out', () => {
    const m = mockApi();
    const store = createBerthStore(m.api);
    const sample = (id: string, cpu: number) => ({ id, cpuPercent: cpu, memoryBytes: 1, memoryLimitBytes: 2 });
    for (let i = 0; i < STATS_HISTORY + 5; i++) m.fire('stats.containers', { at: i, containers: [sample('a', i), sample('b', 1)] });
    expect(store.getState().containerStats.a).toHaveLength(STATS_HISTORY);
    expect(store.getState().containerStats.a!.at(-1)!.cpuPercent).toBe(STATS_HISTORY + 4);
    m.fire('stats.containers', { at: 99, containers: [sample('a', 1)] });
    expect(Object.keys(store.getState().containerStats)).toEqual(['a']);
  });

  test('VM usage samples accumulate, and a stopped VM clears every graph', async () => {
    const m = mockApi();
    const store = createBerthStore(m.api);
    const u = { at: 1, cpuPercent: 5, cpus: 2, hostResidentBytes: 1, memoryBytes: 2 };
    m.fire('stats.vm', u);
    m.fire('stats.vm', { ...u, at: 2 });
    expect(store.getState().vmStats.map((s) => s.at)).toEqual([1, 2]);
    store.setState({ status: { state: 'stopped' } as never });
    await store.getState().refreshLists();
    expect(store.getState().vmStats).toEqual([]);
    expect(store.getState().containerStats).toEqual({});
  });
});
