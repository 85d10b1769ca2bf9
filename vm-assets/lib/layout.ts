import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Merged-/usr: the root keeps one copy of each file and these links point into /usr. */
export const USRMERGE_LINKS: ReadonlyArray<readonly [string, string]> = [
  ['bin', 'usr/bin'],
  ['sbin', 'usr/sbin'],
  ['lib', 'usr/lib'],
  ['lib64', 'usr/lib64'],
];

/** Maps a package path to where it lives in a merged-/usr root. */
export function usrMerged(rel: string): string {
  return /^(bin|sbin|lib|lib64)\//.test(rel) ? `usr/${rel}` : rel;
}

/**
 * Where a package file is in the extracted sysroot: Debian 13's packages are
 * themselves merged-/usr (usr/sbin/mke2fs, usr/lib/modules), Debian 12's were
 * not (sbin/mke2fs, lib/modules).
 */
export function packagePath(sysroot: string, rel: string): string {
  const clean = rel.replace(/^\//, '');
  if (existsSync(join(sysroot, clean)) || !/^(bin|sbin|lib|lib64)\//.test(clean)) return clean;
  return `usr/${clean}`;
}

/** Copies a file (following links) into the root, creating its directory. */
export function install(src: string, root: string, rel: string, mode?: number): void {
  const dest = join(root, rel);
  mkdirSync(dirname(dest), { recursive: true });
  copyFileSync(src, dest);
  if (mode !== undefined) chmodSync(dest, mode);
}

/** Copies a directory tree of guest files, keeping their modes; `@KEY@` tokens are filled in. */
export function installTree(src: string, root: string, vars: Record<string, string | number>): void {
  mkdirSync(root, { recursive: true });
  for (const name of readdirSync(src)) {
    const from = join(src, name);
    const to = join(root, name);
    if (statSync(from).isDirectory()) {
      mkdirSync(to, { recursive: true });
      installTree(from, to, vars);
      continue;
    }
    let text = readFileSync(from, 'utf8');
    for (const [k, v] of Object.entries(vars)) text = text.split(`@${k}@`).join(String(v));
    writeFileSync(to, text);
    chmodSync(to, statSync(from).mode & 0o777);
  }
}

/** Creates a symlink, replacing nothing: the staging dirs are fresh on every build. */
export function link(root: string, rel: string, target: string): void {
  const p = join(root, rel);
  mkdirSync(dirname(p), { recursive: true });
  if (!existsSync(p)) symlinkSync(target, p);
}

/** Copies a whole directory as it is. */
export function copyDir(src: string, dest: string): void {
  cpSync(src, dest, { recursive: true, verbatimSymlinks: true });
}
