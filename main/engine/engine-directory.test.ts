import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { type EngineReach, shownContext } from './context-probe';
import type { DockerContext } from './context-store';
import { EngineDirectory, PROBE_AGAIN_MS } from './engine-directory';

const ctx = (name: string, host: string): DockerContext => ({ name, host, kind: host.startsWith('ssh') ? 'ssh' : host.startsWith('unix') ? 'unix' : 'tcp', skipTlsVerify: false, current: false });

describe('EngineDirectory', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  /** A store with `contexts`, and a STAND-IN probe answering from `up` and recording each probe's time. */
  function directory(contexts: DockerContext[], up: Set<string>) {
    const probes: [string, number][] = [];
    let changes = 0;
    const d = new EngineDirectory(
      {
        read: () => ({ contexts, current: 'default', problems: [] }),
        probe: async (c): Promise<EngineReach> => {
          probes.push([c.name, Date.now()]);
          const shown = shownContext(c);
          return up.has(c.name) ? { ...shown, reachable: true, engineVersion: '28', running: 0 } : { ...shown, reachable: false, error: 'refused' };
        },
        berthSocket: '/home/me/.berth/docker.sock',
      },
      () => changes++,
    );
    return { d, probes, changes: () => changes };
  }

  test("Berth's own socket is not another engine, nor a default context with no socket; the rest are listed before and after their first probe", async () => {
    const { d } = directory([ctx('default', 'unix:///nonexistent/docker.sock'), ctx('berth', 'unix:///home/me/.berth/docker.sock'), ctx('box', 'tcp://10.0.0.2:2376')], new Set(['box']));
    expect(d.list()).toEqual([{ name: 'box', host: 'tcp://10.0.0.2:2376', kind: 'tcp', skipTlsVerify: false, current: false, hasTls: false }]);
    await vi.advanceTimersByTimeAsync(0);
    expect(d.list()[0]).toMatchObject({ name: 'box', reachable: true, engineVersion: '28' });
    d.close();
  });

  test('an unreachable engine is tried again after 5 s, doubling to a minute; a reachable one every 5 s (ssh: 30 s)', async () => {
    const up = new Set(['fine', 'shell']);
    const { d, probes } = directory([ctx('down', 'tcp://10.0.0.9:2376'), ctx('fine', 'tcp://10.0.0.2:2376'), ctx('shell', 'ssh://me@box')], up);
    const t0 = Date.now();
    d.list();
    await vi.advanceTimersByTimeAsync(200_000);
    const at = (name: string) => probes.filter(([n]) => n === name).map(([, t]) => Math.round((t - t0) / 1000));
    expect(at('down').slice(0, 7)).toEqual([0, 5, 15, 35, 75, 135, 195]);
    expect(at('fine').slice(0, 4)).toEqual([0, 5, 10, 15]);
    expect(at('shell').slice(0, 3)).toEqual([0, 30, 60]);
    expect(PROBE_AGAIN_MS.reachable).toBeLessThan(10_000);
    d.close();
  });

  test('a switch of the current context shows at the next read of the store, without waiting for a probe', async () => {
    const contexts = [ctx('box', 'tcp://10.0.0.2:2376'), ctx('far', 'ssh://me@far')];
    const { d, changes } = directory(contexts, new Set(['box', 'far']));
    d.list();
    await vi.advanceTimersByTimeAsync(0);
    const heard = changes();
    contexts[1] = { ...contexts[1]!, current: true };
    d.tick();
    expect(d.list().map((e) => [e.name, e.current, e.reachable])).toEqual([
      ['box', false, true],
      ['far', true, true],
    ]);
    expect(changes()).toBe(heard + 1);
    d.close();
  });

  test('a change of state is heard once; a suspect engine is probed at the next tick', async () => {
    const up = new Set(['box']);
    const { d, probes, changes } = directory([ctx('box', 'tcp://10.0.0.2:2376')], up);
    d.list();
    await vi.advanceTimersByTimeAsync(0);
    const heard = changes();
    await vi.advanceTimersByTimeAsync(20_000);
    expect(changes()).toBe(heard);
    up.delete('box');
    const before = probes.length;
    d.suspect('box');
    await vi.advanceTimersByTimeAsync(5_000);
    expect(probes.length).toBe(before + 1);
    expect(d.list()[0]).toMatchObject({ reachable: false, error: 'refused' });
    expect(changes()).toBe(heard + 1);
    d.close();
  });
});
