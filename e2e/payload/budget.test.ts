/**
 * The download budget of both guests: kernel + initrd + root, compressed as
 * they would ship. `npm test` measures them (`npm run vm-assets -- --measure`)
 * in the background while the other tests run, then runs this project.
 */
import { describe, expect, test } from 'vitest';
import { defaultAssetsDir, KERNEL_ARTIFACT, loadAssets } from '../../main/vm/assets';
import { hermeticEnv } from '../helpers/berth-cli';
import { PAYLOAD_BUDGET_BYTES, PAYLOAD_ZSTD_ARGS, payloadBytes } from '../../vm-assets/lib/spec';

describe('guest payload budget', () => {
  test.each(['amd64', 'arm64'] as const)(`%s: kernel + initrd + root, compressed as they ship, fit in ${PAYLOAD_BUDGET_BYTES / 1e6} MB`, (arch) => {
    const built = loadAssets(defaultAssetsDir(hermeticEnv(), arch), arch).manifest;
    expect(Object.keys(built.artifacts).sort()).toEqual(['initrd.img', 'rootfs.squashfs', KERNEL_ARTIFACT[arch]].sort());
    const flag = arch === 'amd64' ? '' : ` --arch ${arch}`;
    expect(
      Object.values(built.artifacts).every((a) => a.zstdSize > 0),
      `not measured: npm run vm-assets --${flag} --measure`,
    ).toBe(true);
    const total = payloadBytes(built);
    console.log(`${arch} shipped guest (zstd ${PAYLOAD_ZSTD_ARGS.join(' ')}): ${(total / 1e6).toFixed(2)} MB`);
    expect(total).toBeLessThanOrEqual(PAYLOAD_BUDGET_BYTES);
  });
});
