import { describe, expect, test } from 'vitest';
import { binfmtRule, kernelCmdline } from './spec';

describe('guest spec', () => {
  test("the binfmt rule keeps Debian's magic and mask, and points at the emulator in the root with the F and C flags", () => {
    const debian = ':qemu-aarch64:M::\\x7f\\x45\\x4c\\x46\\x02\\x01\\x01:\\xff\\xff\\xff\\xff\\xff\\xff\\xff:/usr/libexec/qemu-binfmt/aarch64-binfmt-P:OPF\n';
    expect(binfmtRule(debian, 'amd64')).toBe(':qemu-aarch64:M::\\x7f\\x45\\x4c\\x46\\x02\\x01\\x01:\\xff\\xff\\xff\\xff\\xff\\xff\\xff:/usr/bin/qemu-aarch64:CF');
    expect(() => binfmtRule(':qemu-x:E::exe::/usr/bin/x:F', 'arm64')).toThrow(/unexpected binfmt.d rule/);
  });

  test('each architecture gets its own console', () => {
    expect(kernelCmdline('amd64')).toMatch(/^console=ttyS0 .*i8042\.nopnp/);
    expect(kernelCmdline('arm64')).toMatch(/^console=ttyAMA0 /);
    expect(kernelCmdline('arm64')).not.toContain('i8042');
  });
});
