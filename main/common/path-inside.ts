import { sep } from 'node:path';

/** True when `p` is `dir` or lies under it (both absolute and in normal form; `/` holds everything). */
export function isInside(p: string, dir: string): boolean {
  return p === dir || dir === sep || p.startsWith(dir + sep);
}
