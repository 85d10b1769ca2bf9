import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { fallbackMessage, type AccelSetting } from '../accel';
import { AccelMemory, type AccelHostKey } from './accel-memory';
import { AccelPolicy } from './accel-policy';

const KEY: AccelHostKey = { platform: 'linux', arch: 'x64', kernel: '6.1.0-1', qemu: 'QEMU emulator version 7.2.22', cpu: 'AMD EPYC', berth: '0.1.0' };

function policy(opts: { key?: AccelHostKey; setting?: AccelSetting; env?: string; file?: string } = {}) {
  const file = opts.file ?? join(mkdtempSync(join(tmpdir(), 'accel-')), 'accel-verdict.json');
  let probes = 0;
  const p = new AccelPolicy({
    setting: () => opts.setting ?? 'auto',
    envOverride: opts.env,
    memory: new AccelMemory(file),
    qemu: 'qemu-stand-in',
    host: { platform: 'linux', arch: 'x64' },
    probe: async () => (probes++, { ok: true, detail: '' }),
    hostKey: async () => opts.key ?? KEY,
  });
  return { p, file, probes: () => probes };
}

describe('AccelPolicy', () => {
  test('a remembered failure sends the next boot straight to TCG, with the reason and no probe', async () => {
    const a = policy();
    expect((await a.p.choose()).accel).toBe('kvm');
    await a.p.remember({ failed: 'kvm', stage: 'launch', cause: 'emulation failure', reason: 'KVM failed during boot on this host (emulation failure); using software emulation' });
    expect(statSync(a.file).mode & 0o777).toBe(0o600);
    // A new agent process reads the same file.
    const b = policy({ file: a.file });
    const c = await b.p.choose();
    expect(c.accel).toBe('tcg');
    expect(c.reason).toMatch(/^KVM failed during boot on this host \(emulation failure\).*remembered since \d{4}-\d\d-\d\d/);
    expect(b.probes()).toBe(0);
  });

  test('a remembered failure is never silent: the choice carries what failed, where and why', async () => {
    const a = policy();
    await a.p.remember({ failed: 'kvm', stage: 'modules', cause: 'emulation failure', reason: 'r' });
    const c = await policy({ file: a.file }).p.choose();
    expect(c.fallback).toMatchObject({ failed: 'kvm', stage: 'modules', cause: 'emulation failure' });
    expect(fallbackMessage(c.fallback!)).toMatch(/^Running with software emulation \(slow\): kvm failed at modules: emulation failure \(remembered since \d{4}-\d\d-\d\d\)$/);
  });

  test('forget: the next choice tries the hardware accelerator again, and probes afresh', async () => {
    const a = policy();
    await a.p.choose();
    await a.p.remember({ failed: 'kvm', stage: 'init', cause: 'c', reason: 'r' });
    expect((await a.p.choose()).accel).toBe('tcg');
    a.p.forget();
    expect((await a.p.choose()).accel).toBe('kvm');
    expect(a.probes()).toBe(2);
  });

  test('a kernel, QEMU, CPU or Berth change tries the hardware accelerator again', async () => {
    const a = policy();
    await a.p.remember({ failed: 'kvm', stage: 'init', cause: 'c', reason: 'r' });
    for (const change of [{ kernel: '6.12.0-1' }, { qemu: 'QEMU emulator version 10.0.0' }, { cpu: 'Intel Xeon' }, { berth: '0.2.0' }]) {
      expect((await policy({ file: a.file, key: { ...KEY, ...change } }).p.choose()).accel).toBe('kvm');
    }
  });

  test('a forced accelerator ignores the memory; auto through BERTH_ACCEL uses it', async () => {
    const a = policy();
    await a.p.remember({ failed: 'kvm', stage: 'init', cause: 'c', reason: 'r' });
    expect(await policy({ file: a.file, setting: 'kvm' }).p.choose()).toMatchObject({ accel: 'kvm', forced: true });
    expect(await policy({ file: a.file, setting: 'kvm', env: 'auto' }).p.choose()).toMatchObject({ accel: 'tcg', forced: false });
  });

  test('an unreadable verdict file counts as none', async () => {
    const a = policy();
    writeFileSync(a.file, '{not json');
    expect((await a.p.choose()).accel).toBe('kvm');
    writeFileSync(a.file, JSON.stringify({ key: KEY }));
    expect((await a.p.choose()).accel).toBe('kvm');
    // Fields of the wrong types (at.slice would throw) count as none too.
    writeFileSync(a.file, JSON.stringify({ key: KEY, failed: 'kvm', reason: 'r', at: 5 }));
    expect((await a.p.choose()).accel).toBe('kvm');
    writeFileSync(a.file, JSON.stringify({ key: { ...KEY, kernel: 6 }, failed: 'kvm', reason: 'r', at: '2026-12-05' }));
    expect((await a.p.choose()).accel).toBe('kvm');
  });

  test('the probe runs once per process', async () => {
    const a = policy();
    await a.p.choose();
    await a.p.choose();
    expect(a.probes()).toBe(1);
  });

  test('a guest of another architecture runs under TCG, whatever the setting or BERTH_ACCEL say, without a probe', async () => {
    let probes = 0;
    const p = new AccelPolicy({
      setting: () => 'kvm',
      envOverride: 'kvm',
      memory: new AccelMemory(join(mkdtempSync(join(tmpdir(), 'accel-')), 'v.json')),
      qemu: 'qemu-stand-in',
      host: { platform: 'linux', arch: 'x64' },
      probe: async () => (probes++, { ok: true, detail: '' }),
      tcgOnly: 'the guest is arm64, this host is amd64: only software emulation runs it',
    });
    expect(await p.choose()).toEqual({ accel: 'tcg', reason: 'the guest is arm64, this host is amd64: only software emulation runs it', forced: true });
    expect(probes).toBe(0);
  });
});
