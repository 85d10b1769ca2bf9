import { existsSync, statSync, writeFileSync } from 'node:fs';
import { resolve, sep } from 'node:path';

/** One host folder shared into the VM at the same path. */
export interface SharedFolder {
  tag: string;
  hostPath: string;
}

/**
 * The folders to share: the user's home plus any extra paths, each at the
 * same path in the VM. Missing paths are skipped (and reported), and a path
 * inside another shared one is dropped because the outer share already has it.
 */
export function sharedFolders(home: string, extra: readonly string[]): { folders: SharedFolder[]; skipped: string[] } {
  const skipped: string[] = [];
  const wanted = [home, ...extra].map((p) => resolve(p)).filter((p, i, all) => all.indexOf(p) === i);
  const existing = wanted.filter((p) => {
    const ok = existsSync(p) && statSync(p).isDirectory();
    if (!ok) skipped.push(p);
    return ok;
  });
  const inside = (p: string, outer: string) => p !== outer && (outer === sep || p.startsWith(outer + sep));
  const roots = existing.filter((p) => !existing.some((o) => inside(p, o)));
  return { folders: roots.map((hostPath, i) => ({ tag: `berth${i}`, hostPath })), skipped };
}

/** Writes the tag<TAB>path list the guest reads from fw_cfg. */
export function writeMountList(file: string, folders: readonly SharedFolder[]): void {
  writeFileSync(file, folders.map((f) => `${f.tag}\t${f.hostPath}\n`).join(''), { mode: 0o600 });
}
