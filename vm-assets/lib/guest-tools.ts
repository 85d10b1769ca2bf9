import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { GuestArch } from '../../main/vm/assets';
import { run } from './run';
import { TRIPLET } from './spec';

/** Where Berth's own guest programs are built from: one C file each, with no library but libc. */
export const GUEST_TOOL_SOURCES = join(__dirname, '..', 'guest', 'src');

/**
 * The C compiler that builds for the guest's architecture: Debian names each by its triplet
 * (`x86_64-linux-gnu-gcc` comes with gcc on an amd64 host; `aarch64-linux-gnu-gcc` with
 * gcc-aarch64-linux-gnu on any host).
 */
export const guestCompiler = (arch: GuestArch): string => `${TRIPLET[arch]}-gcc`;

/**
 * Compiles each program in GUEST_TOOL_SOURCES into `<dir>/<name>` for the guest's
 * architecture and returns their paths. They link to libc dynamically, so the guest's own
 * libc6 serves them (the library closure check sees them), and are stripped: the guest's
 * payload has a budget. No Debian package does what they do (each source says why).
 */
export function buildGuestTools(arch: GuestArch, dir: string, compiler = guestCompiler(arch)): string[] {
  const sources = readdirSync(GUEST_TOOL_SOURCES).filter((f) => f.endsWith('.c'));
  return sources.map((src) => {
    const out = join(dir, basename(src, '.c'));
    try {
      run(compiler, ['-Os', '-s', '-Wall', '-Wextra', '-Werror', '-o', out, join(GUEST_TOOL_SOURCES, src)]);
    } catch (e) {
      // A missing compiler, or one without its libc headers (the arm64 one's come apart).
      const packages = arch === 'arm64' ? 'gcc-aarch64-linux-gnu libc6-dev-arm64-cross' : 'gcc libc6-dev';
      throw new Error(`building the guest's ${basename(src, '.c')} with ${compiler} failed (it needs ${packages}; scripts/bootstrap.sh installs them): ${(e as Error).message}`);
    }
    return out;
  });
}
