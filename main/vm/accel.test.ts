import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { chooseAccelerator, type ProbeRunner } from './accel';

const kvmNode = () => {
  const p = join(mkdtempSync(join(tmpdir(), 'berth-accel-')), 'kvm');
  writeFileSync(p, '');
  return p;
};

describe('chooseAccelerator', () => {
  test('macOS uses hvf without probing', () => {
    const probe: ProbeRunner = () => {
      throw new Error('must not probe');
    };
    expect(chooseAccelerator('q', 'darwin', probe).accel).toBe('hvf');
  });

  test('Linux uses KVM only when the probe passes', () => {
    const dev = kvmNode();
    expect(chooseAccelerator('q', 'linux', () => ({ ok: true, detail: '' }), dev).accel).toBe('kvm');
    const failed = chooseAccelerator('q', 'linux', () => ({ ok: false, detail: 'failed to set MSR 0x10a' }), dev);
    expect(failed.accel).toBe('tcg');
    expect(failed.reason).toContain('failed to set MSR 0x10a');
  });

  test('Linux without /dev/kvm falls back to TCG and says why', () => {
    const r = chooseAccelerator('q', 'linux', () => ({ ok: true, detail: '' }), '/nonexistent/kvm');
    expect(r).toEqual({ accel: 'tcg', reason: '/nonexistent/kvm is not accessible' });
  });

  test('the probe resets a KVM vCPU with -cpu host and quits through QMP', () => {
    let seen: string[] = [];
    chooseAccelerator('qemu-x', 'linux', (_q, args) => ((seen = args), { ok: true, detail: '' }), kvmNode());
    expect(seen).toEqual(expect.arrayContaining(['-accel', 'kvm', '-cpu', 'host', '-S', '-qmp', 'stdio']));
  });
});
