import type { SharedFolder } from './shared-folders';

/** The VM's size, and the host folders it sees. */
export interface VmResources {
  cpus: number;
  memoryMiB: number;
  diskGiB: number;
  /** Shared at the same path in the VM; defaults to none. */
  shares?: readonly SharedFolder[];
  /** dockerd features to turn on (see engine-features.ts); defaults to none. */
  engineFeatures?: readonly string[];
  /** Under TCG only: see QemuLaunchSpec.tcgThreads. The agent never sets it. */
  tcgThreads?: 'single' | 'multi';
}
