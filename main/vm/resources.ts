import type { SharedFolder, SyncedFolder } from './shared-folders';
import type { ShareOptions } from './share-options';

/** The VM's size, and the host folders it sees. */
export interface VmResources {
  cpus: number;
  memoryMiB: number;
  diskGiB: number;
  /** Shared at the same path in the VM; defaults to none. */
  shares?: readonly SharedFolder[];
  /** Synchronized folders: a copy on the VM's disk at each path, kept in step by the agent (main/sync/). */
  synced?: readonly SyncedFolder[];
  /** How the shares are served and mounted; the shipped default if omitted. */
  shareOptions?: ShareOptions;
  /** Folders inside the shares that containers must not see (Berth's home and cache): the guest covers them. */
  hidden?: readonly string[];
  /** The engine's daemon.json as the host merged it (settings/engine-config.ts); the image's own if omitted. */
  engineConfig?: Record<string, unknown>;
  /** Under TCG only: see QemuLaunchSpec.tcgThreads. The agent never sets it. */
  tcgThreads?: 'single' | 'multi';
}
