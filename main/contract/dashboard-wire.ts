/**
 * The dashboard WebSocket's first exchange, shared by `berth dashboard` and
 * the page. The credential travels in the first frame and nowhere else: no
 * cookie, no header, no URL the server sees, so nothing the browser attaches
 * by itself to requests for another port (a container's) can open a session.
 */

/** The page's first frame: the printed link's code, or a session it was given before. */
export type Hello = { hello: { code: string } } | { hello: { session: string } };

/** The server's answer to a good hello: the session to present on the next connection. */
export interface Welcome {
  welcome: { session: string };
}

/** The close code for a connection without a valid credential (4000–4999 are the application's). */
export const UNAUTHORIZED_CLOSE = 4401;

/** How long a connection may stay open before it says hello. */
export const HELLO_TIMEOUT_MS = 5000;

/** The fragment of the printed link that carries the code; a fragment never reaches a server or a Referer. */
export const CODE_FRAGMENT = 'code';

/** The page's session in the tab's sessionStorage: per origin (so per port), never sent by the browser itself. */
export const SESSION_STORAGE_KEY = 'berth.dashboard.session';

/** The credential in a first frame, or undefined for anything else. */
export function readHello(raw: string): { code: string } | { session: string } | undefined {
  let f: unknown;
  try {
    f = JSON.parse(raw);
  } catch {
    return undefined;
  }
  const h = (f as { hello?: unknown } | null)?.hello as Record<string, unknown> | undefined;
  if (typeof h !== 'object' || h === null) return undefined;
  if (typeof h.code === 'string' && h.session === undefined) return { code: h.code };
  if (typeof h.session === 'string' && h.code === undefined) return { session: h.session };
  return undefined;
}
