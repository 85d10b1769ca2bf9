import type { Reply, WatchLease } from '../../../main/contract/berth-api';

/** How soon to try again when a renewal failed (the VM or the server may be restarting). */
const RETRY_MS = 5000;

/**
 * Holds a lease on a stream main runs for this page (stats, followed logs):
 * renews it at half its length until the returned function is called, which
 * stops renewing and releases it at once.
 */
export function holdLease(renew: () => Promise<Reply<WatchLease>>, release: () => void): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let held = true;
  const tick = async () => {
    const r = await renew();
    if (held) timer = setTimeout(() => void tick(), r.ok ? r.value.leaseMs / 2 : RETRY_MS);
  };
  void tick();
  return () => {
    held = false;
    clearTimeout(timer);
    release();
  };
}
