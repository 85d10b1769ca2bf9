/**
 * Checks the built guest image against its manifest: every artifact is there
 * with the recorded sha256, the shipped set stays in its size budget, and the
 * packages came from Debian with pinned versions.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadAssets, sha256File } from '../../main/vm/assets';

/**
 * Each architecture's kernel + initrd + root, zstd -19 --long=27: the limit the
 * guest must stay under. The goal is 60 MB; Debian 13's engine binaries alone
 * are about 45 MB compressed, so it is not met yet (see README).
 */
const BUDGET_BYTES = 80e6;

describe('guest image manifest', () => {
  const assets = loadAssets();
  const m = assets.manifest;

  test('each artifact matches its recorded size and sha256', () => {
    for (const [name, a] of Object.entries(m.artifacts)) {
      const file = join(assets.dir, name);
      expect(statSync(file).size, name).toBe(a.size);
      expect(sha256File(file), name).toBe(a.sha256);
    }
  });

  test('kernel + initrd + root, zstd -19, fit in 80 MB', () => {
    const shipped = Object.values(m.artifacts).map((a) => a.zstdSize);
    expect(Object.keys(m.artifacts).sort()).toEqual(['initrd.img', 'rootfs.squashfs', 'vmlinux']);
    expect(shipped.every((s) => s > 0), 'built with --dev: rebuild without it to measure').toBe(true);
    const total = shipped.reduce((a, b) => a + b, 0);
    console.log(`shipped guest (zstd -19): ${(total / 1e6).toFixed(1)} MB`);
    expect(total).toBeLessThanOrEqual(BUDGET_BYTES);
  });

  test('the engine comes from pinned Debian 13 packages and the kernel is the generic flavour', () => {
    expect(m.suite).toBe('trixie');
    expect(m.arch).toBe('amd64');
    expect(m.packages['docker.io']).toMatch(/^26\./);
    expect(m.packages.containerd).toBeTruthy();
    expect(m.packages.runc).toBeTruthy();
    expect(m.kernelVersion).toMatch(/^6\.12\..*-amd64$/);
    expect(m.kernelVersion).not.toMatch(/cloud/);
    expect(m.cmdline).toContain('console=ttyS0');
  });
});
