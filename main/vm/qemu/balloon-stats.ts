import { BALLOON_ID } from '../../link/guest';
import type { GuestMemory } from '../vm-usage';
import type { QmpClient } from './qmp-client';

type BalloonStats = { stats?: Record<string, number>; 'last-update'?: number };

/** Balloon statistics are polled only while a reading was asked for in the last LINGER_MS. */
const POLL_SECONDS = 2;
const LINGER_MS = 15_000;

/**
 * The guest's memory figures from the virtio-balloon statistics, over QMP.
 * The guest polls them only while someone reads: the first read switches the
 * polling on, and it is switched off again LINGER_MS after the last one, so a
 * closed Resources page costs the guest nothing.
 */
export class BalloonStatsReader {
  private polling = false;
  private lingerTimer?: NodeJS.Timeout;

  constructor(private readonly qmp: QmpClient) {}

  async read(): Promise<GuestMemory | undefined> {
    const qmp = this.qmp;
    if (qmp.closed) return undefined;
    const path = `/machine/peripheral/${BALLOON_ID}`;
    clearTimeout(this.lingerTimer);
    this.lingerTimer = setTimeout(() => {
      this.polling = false;
      void qmp.execute('qom-set', { path, property: 'guest-stats-polling-interval', value: 0 }).catch(() => undefined);
    }, LINGER_MS);
    this.lingerTimer.unref();
    try {
      if (!this.polling) {
        await qmp.execute('qom-set', { path, property: 'guest-stats-polling-interval', value: POLL_SECONDS });
        this.polling = true;
      }
      return guestMemoryFrom(await qmp.execute<BalloonStats>('qom-get', { path, property: 'guest-stats' }));
    } catch {
      return undefined; // no balloon (an older guest image) or the driver is not loaded yet
    }
  }

  /** Stops the guest's polling at once (the machine is going away). */
  stop(): void {
    clearTimeout(this.lingerTimer);
    this.polling = false;
  }
}

/** Turns QEMU's balloon statistics into bytes; QEMU reports -1 for what the guest has not sent yet. */
export function guestMemoryFrom(b: BalloonStats): GuestMemory | undefined {
  const s = b.stats ?? {};
  const total = s['stat-total-memory'] ?? -1;
  const available = s['stat-available-memory'] ?? -1;
  if (!b['last-update'] || total <= 0 || available < 0) return undefined;
  return {
    totalBytes: total,
    availableBytes: available,
    usedBytes: Math.max(0, total - available),
    cacheBytes: Math.max(0, s['stat-disk-caches'] ?? 0),
  };
}
