import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** How to install QEMU, per platform, for error messages. */
export function qemuInstallHint(platform: NodeJS.Platform = process.platform): string {
  if (platform === 'darwin') return 'install it with: brew install qemu';
  return 'install it with: sudo apt-get install qemu-system-x86 qemu-utils (Debian/Ubuntu) or sudo dnf install qemu-kvm qemu-img (Fedora)';
}

/** Finds an executable on PATH, or undefined. */
export function findExecutable(name: string, path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter).filter(Boolean)) {
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // keep looking
    }
  }
  return undefined;
}
