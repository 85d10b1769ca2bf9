/**
 * Checks the built guest image against its manifest: every artifact is there
 * with the recorded sha256, the shipped set stays in its size budget, and the
 * packages came from Debian with pinned versions.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { defaultAssetsDir, KERNEL_ARTIFACT, loadAssets, sha256File } from '../../main/vm/assets';
import { hermeticEnv } from '../helpers/berth-cli';
import { PAYLOAD_BUDGET_BYTES, PAYLOAD_ZSTD_ARGS, payloadBytes } from '../../vm-assets/lib/spec';

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

  test.each(['amd64', 'arm64'] as const)(`%s: kernel + initrd + root, compressed as they ship, fit in ${PAYLOAD_BUDGET_BYTES / 1e6} MB`, (arch) => {
    const built = loadAssets(defaultAssetsDir(hermeticEnv(), arch), arch).manifest;
    expect(Object.keys(built.artifacts).sort()).toEqual(['initrd.img', 'rootfs.squashfs', KERNEL_ARTIFACT[arch]].sort());
    expect(Object.values(built.artifacts).every((a) => a.zstdSize > 0), 'built with --dev: rebuild without it to measure').toBe(true);
    const total = payloadBytes(built);
    console.log(`${arch} shipped guest (zstd ${PAYLOAD_ZSTD_ARGS.join(' ')}): ${(total / 1e6).toFixed(2)} MB`);
    expect(total).toBeLessThanOrEqual(PAYLOAD_BUDGET_BYTES);
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
