import { existsSync, lstatSync, readFileSync, readlinkSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { packagePath } from './layout';
import { run } from './run';

const LIB_DIRS = ['lib/x86_64-linux-gnu', 'usr/lib/x86_64-linux-gnu', 'lib/aarch64-linux-gnu', 'usr/lib/aarch64-linux-gnu', 'lib64', 'lib', 'usr/lib'];

/** True if the file starts with the ELF magic. */
export function isElf(path: string): boolean {
  const fd = readFileSync(path);
  return fd.length > 4 && fd[0] === 0x7f && fd[1] === 0x45 && fd[2] === 0x4c && fd[3] === 0x46;
}

/** The sonames an ELF file needs, and its interpreter, read with readelf (the binary is never run). */
export function elfNeeds(path: string): { needed: string[]; interp?: string } {
  const dyn = run('readelf', ['-dW', path]);
  const needed = [...dyn.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1]);
  const hdr = run('readelf', ['-lW', path]);
  const interp = /Requesting program interpreter: ([^\]]+)\]/.exec(hdr)?.[1];
  return { needed, interp };
}

/**
 * The shared-library closure of a set of ELF files, resolved inside `sysroot`
 * (the extracted Debian packages) rather than on the build host. Returns
 * sysroot-relative paths. A soname that no listed package provides is an error
 * that names it, so a missing library package is caught at build time.
 */
export function libraryClosure(sysroot: string, elves: string[]): string[] {
  const found = new Set<string>();
  const queue = [...elves];
  const missing = new Set<string>();
  while (queue.length) {
    const { needed, interp } = elfNeeds(queue.pop()!);
    const wants = [...needed.map((n) => ({ n, p: findLib(sysroot, n) }))];
    if (interp) {
      const p = packagePath(sysroot, interp);
      wants.push({ n: interp, p: existsSync(join(sysroot, p)) ? p : undefined });
    }
    for (const { n, p } of wants) {
      if (!p) {
        missing.add(n);
        continue;
      }
      if (found.has(p)) continue;
      found.add(p);
      queue.push(realFile(sysroot, p));
    }
  }
  if (missing.size) throw new Error(`shared libraries not provided by ROOT_PACKAGES: ${[...missing].join(', ')}`);
  return [...found];
}

function findLib(sysroot: string, soname: string): string | undefined {
  for (const d of LIB_DIRS) if (existsSync(join(sysroot, d, soname))) return join(d, soname);
  return undefined;
}

/** Follows symlinks inside the sysroot (absolute targets are taken as sysroot-relative). */
export function realFile(sysroot: string, rel: string): string {
  let p = join(sysroot, rel);
  for (let i = 0; i < 16 && lstatSync(p).isSymbolicLink(); i++) {
    const t = readlinkSync(p);
    p = t.startsWith('/') ? join(sysroot, t) : resolve(dirname(p), t);
  }
  return p;
}
