import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** How long the link `berth dashboard` prints stays usable. */
export const CODE_TTL_MS = 2 * 60_000;
/** How long a session lives with no connection using it: a tab closed overnight needs a new link. */
export const SESSION_IDLE_MS = 12 * 60 * 60_000;

const equal = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

interface SessionUse {
  /** Connections open on it now; an open one keeps it alive. */
  open: number;
  /** When the last connection on it closed, or when it was issued. */
  lastUsed: number;
}

/**
 * Who may use the dashboard. The printed link carries a code that works once
 * and only for CODE_TTL_MS. The page trades it, in the WebSocket's first frame,
 * for a session it keeps in its own tab and presents the same way on the next
 * connection. Nothing is ambient: the browser attaches no credential by itself
 * to any request, so a page a container serves on another port of 127.0.0.1
 * receives nothing it could replay. Every request must also name this server in
 * Host (against DNS rebinding), and the WebSocket must come from its own origin.
 */
export class DashboardAuth {
  private code: string | undefined = randomBytes(24).toString('hex');
  private readonly codeExpires: number;
  private readonly sessions = new Map<string, SessionUse>();

  constructor(
    private readonly now: () => number = Date.now,
    ttlMs = CODE_TTL_MS,
  ) {
    this.codeExpires = now() + ttlMs;
  }

  /** The code for the printed link; empty once used. */
  get linkCode(): string {
    return this.code ?? '';
  }

  /**
   * Opens a connection's use of a session: a fresh one for the link's code
   * (once, before it expires), or the one presented if it is live. Undefined
   * when the credential is no good. Pair each success with release().
   */
  open(credential: { code: string } | { session: string } | undefined): string | undefined {
    this.sweep();
    if (!credential) return undefined;
    const session = 'code' in credential ? this.redeem(credential.code) : this.known(credential.session);
    const use = session ? this.sessions.get(session) : undefined;
    if (use) use.open++;
    return session;
  }

  /** A connection on the session closed; its idle time starts now if it was the last. */
  release(session: string): void {
    const use = this.sessions.get(session);
    if (!use) return;
    use.open = Math.max(0, use.open - 1);
    use.lastUsed = this.now();
  }

  private redeem(given: string): string | undefined {
    if (!this.code || this.now() > this.codeExpires || !equal(given, this.code)) return undefined;
    this.code = undefined;
    const session = randomBytes(32).toString('hex');
    this.sessions.set(session, { open: 0, lastUsed: this.now() });
    return session;
  }

  private known(given: string): string | undefined {
    return [...this.sessions.keys()].find((s) => equal(given, s));
  }

  private sweep(): void {
    const t = this.now();
    for (const [s, use] of this.sessions) if (use.open === 0 && t - use.lastUsed > SESSION_IDLE_MS) this.sessions.delete(s);
  }

  /** The Host header names this server (127.0.0.1 or localhost, on its port) and nothing else. */
  static hostOk(headers: IncomingHttpHeaders, port: number): boolean {
    return headers.host === `127.0.0.1:${port}` || headers.host === `localhost:${port}`;
  }

  static originOk(headers: IncomingHttpHeaders, port: number): boolean {
    return headers.origin === `http://127.0.0.1:${port}` || headers.origin === `http://localhost:${port}`;
  }
}
