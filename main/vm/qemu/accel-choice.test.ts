import { describe, expect, test } from 'vitest';
import { AccelUnavailableError, chooseAccelerator, type AccelInputs } from './accel-choice';

// Every input is passed in: nothing here reads BERTH_ACCEL, /dev/kvm or QEMU,
// so `env BERTH_ACCEL=kvm npm run test:unit` and a host without KVM give the same results.
const passes = async () => ({ ok: true, detail: '' });
const refuses = async () => ({ ok: false, detail: 'failed to set MSR 0x10a to 0x69' });
const noProbe = async (): Promise<never> => {
  throw new Error('must not probe');
};
const base: AccelInputs = { setting: 'auto', platform: 'linux', probe: passes };

describe('chooseAccelerator, auto', () => {
  test('macOS uses hvf without probing', async () => {
    expect(await chooseAccelerator({ ...base, platform: 'darwin', probe: noProbe })).toEqual({ accel: 'hvf', reason: 'macOS Hypervisor.framework', forced: false });
  });

  test('Linux uses KVM when the probe passes, TCG with the probe error when it fails', async () => {
    expect((await chooseAccelerator(base)).accel).toBe('kvm');
    const failed = await chooseAccelerator({ ...base, probe: refuses });
    expect(failed.accel).toBe('tcg');
    expect(failed.forced).toBe(false);
    expect(failed.reason).toContain('failed to set MSR 0x10a');
  });

  test('a remembered boot failure goes straight to TCG, without probing, and says why', async () => {
    const r = await chooseAccelerator({
      ...base,
      probe: noProbe,
      remembered: { reason: 'KVM failed during boot on this host (emulation failure)', fallback: { failed: 'kvm' as const, stage: 'init', cause: 'emulation failure' } },
    });
    expect(r).toEqual({
      accel: 'tcg',
      reason: 'KVM failed during boot on this host (emulation failure)',
      forced: false,
      fallback: { failed: 'kvm' as const, stage: 'init', cause: 'emulation failure' },
    });
  });

  test('other platforms use TCG', async () => {
    expect((await chooseAccelerator({ ...base, platform: 'win32', probe: noProbe })).accel).toBe('tcg');
  });
});

describe('chooseAccelerator, forced', () => {
  test('the setting forces TCG without probing', async () => {
    expect(await chooseAccelerator({ ...base, setting: 'tcg', probe: noProbe })).toEqual({ accel: 'tcg', reason: 'set by the accelerator setting', forced: true });
  });

  test('BERTH_ACCEL overrides the setting, both ways', async () => {
    expect(await chooseAccelerator({ ...base, setting: 'kvm', envOverride: 'tcg', probe: noProbe })).toMatchObject({ accel: 'tcg', forced: true, reason: 'set by BERTH_ACCEL=tcg' });
    // auto through the variable ignores a forced setting, and a remembered verdict applies.
    expect(
      await chooseAccelerator({ ...base, setting: 'tcg', envOverride: 'auto', remembered: { reason: 'r', fallback: { failed: 'kvm' as const, stage: 'init', cause: 'emulation failure' } } }),
    ).toMatchObject({ accel: 'tcg', forced: false, reason: 'r' });
    // An empty variable is no override.
    expect((await chooseAccelerator({ ...base, setting: 'tcg', envOverride: '' })).reason).toBe('set by the accelerator setting');
  });

  test('a forced KVM that fails its probe is an error that says how to fall back, never a silent TCG', async () => {
    await expect(chooseAccelerator({ ...base, setting: 'kvm', probe: refuses })).rejects.toThrow(AccelUnavailableError);
    await expect(chooseAccelerator({ ...base, setting: 'kvm', probe: refuses })).rejects.toThrow(/failed to set MSR.*berth config set accelerator auto/);
    await expect(chooseAccelerator({ ...base, envOverride: 'kvm', probe: refuses })).rejects.toThrow(/BERTH_ACCEL=kvm.*unset BERTH_ACCEL/);
  });

  test('a forced KVM ignores a remembered verdict: the person asked for it', async () => {
    expect(await chooseAccelerator({ ...base, setting: 'kvm', remembered: { reason: 'r', fallback: { failed: 'kvm' as const, stage: 'init', cause: 'emulation failure' } } })).toMatchObject({
      accel: 'kvm',
      forced: true,
    });
  });

  test('hvf off macOS and KVM off Linux are refused with the reason', async () => {
    await expect(chooseAccelerator({ ...base, setting: 'hvf' })).rejects.toThrow(/only on macOS/);
    await expect(chooseAccelerator({ ...base, platform: 'darwin', setting: 'kvm' })).rejects.toThrow(/only on Linux/);
  });

  test('an unknown BERTH_ACCEL is refused with the valid values', async () => {
    await expect(chooseAccelerator({ ...base, envOverride: 'fast' })).rejects.toThrow('BERTH_ACCEL=fast is not an accelerator; use one of auto, hvf, kvm, tcg');
  });
});
