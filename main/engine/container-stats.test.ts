import { describe, expect, test } from 'vitest';
import { cpuPercent, memoryUsed, type RawStats } from './container-stats';

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
