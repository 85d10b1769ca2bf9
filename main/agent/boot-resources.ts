import type { Settings } from '../settings/settings-schema';
import { daemonJson } from '../settings/engine-config';
import { berthCacheDir } from '../vm/assets';
import type { VmResources } from '../vm/resources';
import type { ShareOptions } from '../vm/share-options';
import type { SharedFolder } from '../vm/shared-folders';

/**
 * What one boot gets from the settings: the VM's size and engine port, the
 * shares with their options, the engine's daemon.json, and Berth's own folders
 * (its home, its cache) for the guest to hide from containers.
 */
export function bootResources(s: Settings, shares: SharedFolder[], shareOptions: ShareOptions, berthHome: string): VmResources & { enginePort: number } {
  return {
    cpus: s.cpus,
    memoryMiB: s.memoryMiB,
    diskGiB: s.diskGiB,
    enginePort: s.enginePort,
    shares,
    shareOptions,
    hidden: [berthHome, berthCacheDir()],
    engineConfig: daemonJson(s.engine, s),
  };
}
