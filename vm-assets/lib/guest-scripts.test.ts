import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { BOOT_STAGES } from '../../main/link/guest';

const guest = join(__dirname, '..', 'guest');
const read = (p: string) => readFileSync(join(guest, p), 'utf8');
const stages = (text: string) => [...text.matchAll(/\bmark stage=([a-z-]+)/g)].map((m) => m[1]);

describe('guest scripts', () => {
  test("the boot stages they mark are the host's BOOT_STAGES, in order", () => {
    expect([...stages(read('initrd/init')), ...stages(read('rootfs/etc/berth/rc.boot'))]).toEqual([...BOOT_STAGES]);
  });

  test('markers and disk serials come from the shared library, filled from main/link/guest.ts', () => {
    for (const script of ['initrd/init', 'rootfs/etc/berth/rc.boot', 'rootfs/etc/berth/rc.shutdown']) {
      const text = read(script);
      expect(text, script).not.toMatch(/BERTH-BOOT|berth-root|serial=|find_disk\(\)/);
      expect(text, script).toMatch(/^\. \/(usr\/)?lib\/(berth\/)?berth-lib\.sh$/m);
    }
    const lib = read('common/berth-lib.sh');
    for (const token of ['@BOOT_MARKER@', '@DISK_SERIAL_ROOT@', '@DISK_SERIAL_DATA@']) expect(lib).toContain(token);
  });
});
