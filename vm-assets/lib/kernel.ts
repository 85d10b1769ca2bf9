import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import type { GuestArch } from '../../main/vm/assets';

const ELF_MAGIC = Buffer.from([0x7f, 0x45, 0x4c, 0x46]);
/** The compressed-stream magics Debian's kernels have used, with the tool that undoes each. */
const STREAMS: ReadonlyArray<{ magic: Buffer; cmd: string; args: string[] }> = [
  { magic: Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]), cmd: 'xz', args: ['-dc', '--single-stream'] },
  { magic: Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), cmd: 'zstd', args: ['-dc'] },
  { magic: Buffer.from([0x1f, 0x8b, 0x08]), cmd: 'gzip', args: ['-dc'] },
];

/**
 * Pulls the uncompressed ELF `vmlinux` out of a Debian bzImage, the way the
 * kernel's scripts/extract-vmlinux does: find a compressed stream's magic and
 * decompress from there until an ELF comes out. QEMU boots the ELF via its PVH
 * note, skipping the real-mode setup and self-decompression that are slow
 * under software emulation.
 */
export function extractVmlinux(bzImage: string, out: string): void {
  const img = readFileSync(bzImage);
  for (const s of STREAMS) {
    for (let at = img.indexOf(s.magic); at >= 0; at = img.indexOf(s.magic, at + 1)) {
      const r = spawnSync(s.cmd, s.args, { input: img.subarray(at), maxBuffer: 1 << 30 });
      if (r.stdout && r.stdout.length > 1024 && r.stdout.subarray(0, 4).equals(ELF_MAGIC)) {
        writeFileSync(out, r.stdout);
        return;
      }
    }
  }
  throw new Error(`no compressed ELF kernel found in ${bzImage}`);
}

/**
 * The kernel a guest boots, from Debian's vmlinuz: x86_64's ELF vmlinux; on
 * arm64 the Image itself (gunzipped if Debian compressed it, so QEMU loads it
 * as it is).
 */
export function kernelImage(vmlinuz: string, arch: GuestArch, out: string): void {
  if (arch === 'amd64') {
    extractVmlinux(vmlinuz, out);
    return;
  }
  const img = readFileSync(vmlinuz);
  if (img.subarray(0, 3).equals(STREAMS[2].magic)) {
    const r = spawnSync('gzip', ['-dc'], { input: img, maxBuffer: 1 << 30 });
    if (r.status !== 0) throw new Error(`gzip could not unpack ${vmlinuz}`);
    writeFileSync(out, r.stdout);
    return;
  }
  copyFileSync(vmlinuz, out);
}
