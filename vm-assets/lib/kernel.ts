import { readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const XZ_MAGIC = Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]);
const ELF_MAGIC = Buffer.from([0x7f, 0x45, 0x4c, 0x46]);

/**
 * Pulls the uncompressed ELF `vmlinux` out of a Debian bzImage (xz-compressed
 * payload), the way the kernel's scripts/extract-vmlinux does: find the
 * compressed stream's magic and decompress from there. QEMU boots the ELF via
 * its PVH note, skipping the real-mode setup and self-decompression that are
 * slow under software emulation.
 */
export function extractVmlinux(bzImage: string, out: string): void {
  const img = readFileSync(bzImage);
  for (let at = img.indexOf(XZ_MAGIC); at >= 0; at = img.indexOf(XZ_MAGIC, at + 1)) {
    const r = spawnSync('xz', ['-dc', '--single-stream'], { input: img.subarray(at), maxBuffer: 1 << 30 });
    if (r.stdout && r.stdout.length > 1024 && r.stdout.subarray(0, 4).equals(ELF_MAGIC)) {
      writeFileSync(out, r.stdout);
      return;
    }
  }
  throw new Error(`no xz-compressed ELF kernel found in ${bzImage}`);
}
