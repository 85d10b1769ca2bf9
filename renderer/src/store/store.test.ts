import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import type { BerthApi } from '../../../main/contract/berth-api';
import { createBerthStore, REFETCH_DEBOUNCE_MS } from './store';

/** A mock transport (named as such): answers every call, lets the test fire events. */
function mockApi() {
  const listeners = new Map<string, ((p: unknown) => void)[]>();
  const calls: string[] = [];
  const ok = (value: unknown) => Promise.resolve({ ok: true, value });
  const api = new Proxy(
    {},
    {
      get: (_t, name: string) => {
        if (name === 'on') return (e: string, l: (p: unknown) => void) => (listeners.set(e, [...(listeners.get(e) ?? []), l]), () => undefined);
        return () => {
          calls.push(name);
          if (name === 'vm.status') return ok({ state: 'running', checks: [], settings: {} });
          return ok([]);
        };
      },
    },
  ) as BerthApi;
  const fire = (e: string, p: unknown) => (listeners.get(e) ?? []).forEach((l) => l(p));
  return { api, calls, fire };
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
    expect(store.getState().refetches).toBeLessThanOrEqual(2);
    expect(store.getState().refetches).toBeGreaterThanOrEqual(1);
    expect(m.calls.filter((c) => c === 'containers.list').length).toBe(store.getState().refetches);
  });

  test('a VM state event refreshes the status, then the lists', async () => {
    const m = mockApi();
    const store = createBerthStore(m.api);
    m.fire('vm.state', { state: 'running' });
    await vi.advanceTimersByTimeAsync(REFETCH_DEBOUNCE_MS * 2);
    expect(store.getState().status?.state).toBe('running');
    expect(m.calls).toContain('containers.list');
  });

  test('boot stages from the agent drive the progress', () => {
    const m = mockApi();
    const store = createBerthStore(m.api);
    m.fire('vm.bootStage', { stage: 'dockerd' });
    expect(store.getState().bootStage).toBe('dockerd');
  });
});
