import type { Journal } from './journal';
import type { SyncWire } from './sync-wire';

/** What a batch works with: the folder, its journal, the guest's wire, and the folder's place there. */
export interface BatchContext {
  id: string;
  root: string;
  /** The copy's absolute path in the guest, as its facts name it. */
  copy: string;
  journal: Journal;
  wire: SyncWire;
  now?: () => Date;
}
