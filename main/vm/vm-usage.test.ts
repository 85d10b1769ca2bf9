import { closeSync, mkdtempSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { allocatedSize } from './vm-usage';

describe('VM usage figures', () => {
  test('allocated size counts blocks, so a sparse file shows what it really occupies', () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-usage-'));
    const f = join(dir, 'sparse');
    writeFileSync(f, '');
    const fd = openSync(f, 'r+');
    writeSync(fd, Buffer.alloc(4096, 1), 0, 4096, 64 * 1024 * 1024);
    closeSync(fd);
    const a = allocatedSize(f)!;
    expect(a.allocatedBytes).toBeGreaterThan(0);
    expect(a.allocatedBytes).toBeLessThan(1024 * 1024);
    expect(allocatedSize(join(dir, 'missing'))).toBeUndefined();
  });
});
