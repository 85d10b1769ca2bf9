import { describe, expect, test } from 'vitest';
import { runChecks, waitForChecks, type ReadinessCheck } from './readiness';

const pass = (name: string): ReadinessCheck => ({ name, hint: `${name} hint`, run: async () => undefined });
const fail = (name: string, msg = 'nope'): ReadinessCheck => ({
  name,
  hint: `${name} hint`,
  run: async () => {
    throw new Error(msg);
  },
});

describe('readiness checks', () => {
  test('runChecks reports passed, failed with its error and hint, and skips the rest', async () => {
    const r = await runChecks([pass('qemu-alive'), fail('engine-tls', 'ECONNRESET'), pass('host-socket')]);
    expect(r).toEqual([
      { name: 'qemu-alive', status: 'passed', hint: 'qemu-alive hint' },
      { name: 'engine-tls', status: 'failed', hint: 'engine-tls hint', error: 'ECONNRESET' },
      { name: 'host-socket', status: 'skipped', hint: 'host-socket hint' },
    ]);
  });

  test('waitForChecks retries a check until it passes, in order', async () => {
    let n = 0;
    const seen: string[] = [];
    const flaky: ReadinessCheck = {
      name: 'flaky',
      hint: '',
      run: async () => {
        if (++n < 3) throw new Error('not yet');
      },
    };
    await waitForChecks([pass('a'), flaky, pass('b')], { timeoutMs: 2000, intervalMs: 5, onCheck: (c) => seen.push(c) });
    expect(n).toBe(3);
    expect(seen).toEqual(['a', 'flaky', 'b']);
  });

  test('waitForChecks gives up at the deadline naming the check and its hint', async () => {
    await expect(waitForChecks([fail('qmp-answering', 'ENOENT')], { timeoutMs: 30, intervalMs: 5 })).rejects.toThrow('readiness check "qmp-answering" failed: ENOENT. Hint: qmp-answering hint');
  });
});
