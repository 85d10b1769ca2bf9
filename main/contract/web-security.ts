/**
 * What Berth's UI may load and open, whichever transport serves it (the
 * Electron window, `berth dashboard`): the page's CSP and the URL rules.
 * Pure, so the app, the dashboard server and the CLI share one copy.
 */

/** The page's Content-Security-Policy: only its own files, no remote content, no eval. */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'";

/**
 * The policy as a `<meta>` tag can carry it, for the built page itself: a
 * `file://` load may not pass through the header hook, and the tag holds
 * wherever the file is opened. Browsers ignore frame-ancestors there (it needs
 * the header), so it is left out rather than warned about.
 */
export function metaPolicy(policy: string = CONTENT_SECURITY_POLICY): string {
  return policy
    .split(';')
    .map((d) => d.trim())
    .filter((d) => d && !/^(frame-ancestors|report-uri|sandbox)\b/.test(d))
    .join('; ');
}

/**
 * What may leave the app through the default browser: only local web apps a
 * container publishes, http://localhost:PORT or http://127.0.0.1:PORT. Returns
 * the URL as parsed and checked, which is what must be opened: the raw string
 * can carry whitespace or control characters the parser dropped.
 */
export function externalUrl(url: string): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  if (u.protocol !== 'http:') return undefined;
  if (u.hostname !== 'localhost' && u.hostname !== '127.0.0.1') return undefined;
  if (u.username || u.password) return undefined;
  const port = Number(u.port);
  return Number.isInteger(port) && port >= 1 && port <= 65535 ? u.href : undefined;
}

/** True when externalUrl accepts the URL. */
export function isAllowedExternal(url: string): boolean {
  return externalUrl(url) !== undefined;
}

/** In-window navigation: never; the dashboard is one page. */
export function isAllowedNavigation(_url: string): boolean {
  return false;
}
