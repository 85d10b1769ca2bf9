import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { syncId } from '../link/sync-protocol';
import { SyncSet } from './sync-set';

describe('SyncSet.configure', () => {
  test('a boot gets the folders that exist; a missing one, one holding Berth’s home and one inside another are skipped and said', () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-syncset-'));
    for (const d of ['code/web', 'code/web/inner', 'home-parent/.berth']) mkdirSync(join(dir, d), { recursive: true });
    const warned: string[] = [];
    const set = new SyncSet({ journalDir: join(dir, 'journals'), log: { info: () => undefined, warn: (m: string) => warned.push(m), error: () => undefined } });
    const got = set.configure([join(dir, 'code/web'), join(dir, 'code/web/inner'), join(dir, 'missing'), join(dir, 'home-parent')], join(dir, 'home-parent/.berth'));
    expect(got).toEqual([{ id: syncId(join(dir, 'code/web')), hostPath: join(dir, 'code/web') }]);
    expect(warned.join('\n')).toMatch(/inner lies inside another synchronized folder/);
    expect(warned.join('\n')).toMatch(/missing does not exist or is not a folder/);
    expect(warned.join('\n')).toMatch(/home-parent holds Berth's own files/);
    // Before its first copy, a container may not mount it.
    expect(set.notReady(join(dir, 'code/web/src'))).toMatch(/is still being copied into the VM/);
    expect(set.notReady(join(dir, 'elsewhere'))).toBeUndefined();
    set.close();
  });
});
