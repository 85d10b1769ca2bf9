import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

let cached: string | undefined;

/**
 * Berth's own version, from the package.json above this file (the checkout's,
 * or the packaged app's): what a remembered verdict and a saved state are tied to.
 */
export function berthVersion(): string {
  if (cached) return cached;
  for (let dir = __dirname, i = 0; i < 6; dir = dirname(dir), i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'berth' && pkg.version) {
        cached = pkg.version;
        return cached;
      }
    } catch {
      // not here; look one folder up
    }
  }
  cached = 'unknown';
  return cached;
}
