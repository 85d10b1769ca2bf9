import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** How long the link `berth dashboard` prints stays usable. */
export const CODE_TTL_MS = 2 * 60_000;
export const SESSION_COOKIE = 'berth_session';

const equal = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** The value of one cookie, or undefined; junk in the header is ignored, never thrown on. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}

/**
 * Who may use the dashboard. The printed link carries a code that works once
 * and only for CODE_TTL_MS, so a copy seen in another user's `ps` or a shell
 * history is worthless by the time it could be used. Exchanging it sets an
 * HttpOnly, SameSite=Strict session cookie; the address bar then holds no secret.
 * Every request must also name this server in Host (against DNS rebinding), and
 * the WebSocket must come from this server's own origin.
 */
export class DashboardAuth {
  private code: string | undefined = randomBytes(24).toString('hex');
  private readonly codeExpires: number;
  private readonly sessions = new Set<string>();

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

  /** Exchanges the code for a new session id, once, before it expires. */
  redeem(given: string): string | undefined {
    if (!this.code || this.now() > this.codeExpires || !equal(given, this.code)) return undefined;
    this.code = undefined;
    const session = randomBytes(32).toString('hex');
    this.sessions.add(session);
    return session;
  }

  /** True when the request carries a session this server issued. */
  hasSession(headers: IncomingHttpHeaders): boolean {
    const s = readCookie(headers.cookie, SESSION_COOKIE);
    return !!s && [...this.sessions].some((known) => equal(s, known));
  }

  /** The Host header names this server (127.0.0.1 or localhost, on its port) and nothing else. */
  static hostOk(headers: IncomingHttpHeaders, port: number): boolean {
    return headers.host === `127.0.0.1:${port}` || headers.host === `localhost:${port}`;
  }

  static originOk(headers: IncomingHttpHeaders, port: number): boolean {
    return headers.origin === `http://127.0.0.1:${port}` || headers.origin === `http://localhost:${port}`;
  }

  static cookieHeader(session: string): string {
    return `${SESSION_COOKIE}=${session}; HttpOnly; SameSite=Strict; Path=/`;
  }
}
