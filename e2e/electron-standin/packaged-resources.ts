/**
 * ELECTRON STAND-IN (test-only): a package's `resources` folder as plain
 * Node can read it. Electron reads `app.asar` as a folder; Node cannot, so the
 * archive is extracted into a folder of the same name (unpacked files
 * included), and everything else is linked to the package's own copy. Paths
 * the packaged main computes (resources/app.asar/dist/…) then work unchanged.
 */
import { extractAll } from '@electron/asar';
import { mkdirSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';

export function readableResources(packageResources: string, dest: string): string {
  rmSync(dest, { recursive: true, force: true });
  mkdirSync(dest, { recursive: true });
  extractAll(join(packageResources, 'app.asar'), join(dest, 'app.asar'));
  for (const name of readdirSync(packageResources)) {
    if (name === 'app.asar' || name === 'app.asar.unpacked') continue;
    symlinkSync(join(packageResources, name), join(dest, name));
  }
  return dest;
}
