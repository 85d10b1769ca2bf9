import { describe, expect, test } from 'vitest';
import type { AgentStatus } from '../agent/control-api';
import { formatStatus } from './format';

describe('formatStatus', () => {
  test('shows the resources the VM booted with, and the changes waiting for a restart', () => {
    const settings = { cpus: 4, memoryMiB: 4096, diskGiB: 64 } as AgentStatus['settings'];
    const booted = { cpus: 2, memoryMiB: 2048, diskGiB: 64 } as AgentStatus['booted'];
    const out = formatStatus({ state: 'running', settings, booted, pendingRestart: ['cpus', 'memoryMiB'] });
    expect(out).toContain('Resources:    2 CPUs, 2048 MiB memory, 64 GiB disk');
    expect(out).toContain('Pending:      cpus, memoryMiB changed; applies at the next `berth restart`');
    expect(formatStatus({ state: 'stopped', settings, pendingRestart: [] })).toContain('Resources:    4 CPUs, 4096 MiB memory');
  });
});
