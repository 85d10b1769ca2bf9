import { describe, expect, test } from 'vitest';
import type Docker from 'dockerode';
import { ContainerStatsSampler, cpuPercent, memoryUsed, type RawStats } from './container-stats';

const at = (total: number, system: number, online = 4): RawStats => ({ cpu_stats: { cpu_usage: { total_usage: total }, system_cpu_usage: system, online_cpus: online } });

describe('container stats figures', () => {
  test('CPU % is the container share of system time times online CPUs, like docker stats', () => {
    // 1 s of container time in 4 s of system time (4 CPUs × 1 s): one CPU busy = 100 %.
    expect(cpuPercent(at(0, 0), at(1e9, 4e9))).toBe(100);
    expect(cpuPercent(at(1e9, 4e9), at(1.5e9, 8e9))).toBe(50);
  });

  test('no figure when the clock did not move or the counter went backwards (a restart)', () => {
    expect(cpuPercent(at(5, 10), at(6, 10))).toBeUndefined();
    expect(cpuPercent(at(9e9, 1e9), at(1e9, 2e9))).toBeUndefined();
  });

  test('memory leaves out the reclaimable file cache, for cgroup v2 and v1', () => {
    expect(memoryUsed({ memory_stats: { usage: 100e6, stats: { inactive_file: 30e6 } } })).toBe(70e6);
    expect(memoryUsed({ memory_stats: { usage: 100e6, stats: { total_inactive_file: 40e6 } } })).toBe(60e6);
    expect(memoryUsed({ memory_stats: { usage: 5 } })).toBe(5);
    expect(memoryUsed({})).toBe(0);
  });
});

describe('ContainerStatsSampler', () => {
  /** A STAND-IN engine: two running containers whose CPU counters advance by 50 ms per 100 ms of system time on each read; "gone" stops before its stats are read. */
  const standIn = () => {
    let reads = 0;
    const raw = (): RawStats => {
      reads++;
      return { cpu_stats: { cpu_usage: { total_usage: reads * 50 }, system_cpu_usage: reads * 100, online_cpus: 2 }, memory_stats: { usage: 1000, limit: 4000, stats: { inactive_file: 200 } } };
    };
    const docker = {
      listContainers: async () => [{ Id: 'busy' }, { Id: 'gone' }],
      getContainer: (id: string) => ({ stats: async () => (id === 'gone' ? Promise.reject(new Error('not running')) : raw()) }),
    };
    return docker as unknown as Docker;
  };

  test('the first sample already has CPU (two readings a moment apart); a container that stopped meanwhile is left out', async () => {
    const engine = standIn();
    const s = new ContainerStatsSampler(() => engine, 0);
    const first = await s.sample();
    expect(first).toEqual([{ id: 'busy', cpuPercent: 100, memoryBytes: 800, memoryLimitBytes: 4000 }]);
    const second = await s.sample();
    expect(second.map((x) => x.cpuPercent)).toEqual([100]);
    s.reset();
    expect((await s.sample())[0]?.cpuPercent).toBe(100);
  });
});
