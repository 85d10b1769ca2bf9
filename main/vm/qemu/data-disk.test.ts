import { chmodSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ensureDataDisk, growDataDisk } from './data-disk';

describe('the data disk (real qemu-img)', () => {
  test('a raised size grows it; the same size leaves it; a smaller one never shrinks it', () => {
    const disk = join(mkdtempSync(join(tmpdir(), 'berth-disk-')), 'data.qcow2');
    expect(ensureDataDisk(disk, 1)).toEqual({ created: true });
    expect(statSync(disk).mode & 0o777).toBe(0o600);
    chmodSync(disk, 0o644);
    expect(ensureDataDisk(disk, 5)).toEqual({ created: false });
    expect(statSync(disk).mode & 0o777).toBe(0o600);
    expect(growDataDisk(disk, 1)).toBeUndefined();
    expect(growDataDisk(disk, 3)).toEqual({ fromGiB: 1, toGiB: 3 });
    expect(growDataDisk(disk, 2)).toEqual({ keptGiB: 3 });
    expect(growDataDisk(disk, 3)).toBeUndefined();
  });
});
