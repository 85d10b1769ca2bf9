/**
 * Checks the built guest image against its manifest: every artifact is there
 * with the recorded sha256, and the packages came from Debian with pinned
 * versions. The payload budget is its own project (e2e/payload/), run once the
 * background measurement is done.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadAssets, sha256File } from '../../main/vm/assets';

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
