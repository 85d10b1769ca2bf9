/**
 * Watchers that must renew within `leaseMs`. A page that stops renewing (a
 * closed tab, a dropped WebSocket, a crashed renderer) simply expires, so
 * nothing main streams for it outlives it by more than one lease.
 */
export class Leases {
  private readonly until = new Map<string, number>();

  constructor(
    readonly leaseMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  renew(id: string): void {
    this.until.set(id, this.now() + this.leaseMs);
  }

  /** Ends one lease now; true if it was held. */
  drop(id: string): boolean {
    return this.until.delete(id);
  }

  /** Removes and returns the leases that ran out. */
  expire(): string[] {
    const t = this.now();
    const gone = [...this.until].filter(([, u]) => u <= t).map(([id]) => id);
    for (const id of gone) this.until.delete(id);
    return gone;
  }

  /** Live leases, after expiring the stale ones. */
  get size(): number {
    this.expire();
    return this.until.size;
  }

  clear(): void {
    this.until.clear();
  }
}
