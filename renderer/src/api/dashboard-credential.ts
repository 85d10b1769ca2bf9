/**
 * What this tab presents to `berth dashboard`: the printed link's code, once,
 * then the session the server gave for it. The session lives in the tab's
 * sessionStorage, which belongs to this origin (so this port) alone and which
 * the browser never sends anywhere by itself, unlike a cookie.
 */
import { CODE_FRAGMENT, type Hello, SESSION_STORAGE_KEY } from '../../../main/contract/dashboard-wire';

/** The credential a WebSocket connection sends first, and what to do with the answer. */
export interface DashboardCredential {
  /** The first frame to send, or undefined when this tab has nothing to present. */
  hello(): Hello | undefined;
  /** The server accepted a hello and named the session to present next time. */
  keep(session: string): void;
  /** The server refused: whatever this tab held is no good. */
  forget(): void;
}

/** The parts of a page this reads: its address, its history and its sessionStorage. */
export interface TabPlaces {
  location: Pick<Location, 'hash' | 'pathname' | 'search'>;
  history: Pick<History, 'replaceState'>;
  storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
}

/**
 * Takes the code out of the address bar at once (so it is in no bookmark,
 * screenshot or later history entry), and keeps it for the first hello only.
 */
export function tabCredential(tab: TabPlaces): DashboardCredential {
  let code = new URLSearchParams(tab.location.hash.replace(/^#/, '')).get(CODE_FRAGMENT) ?? undefined;
  if (tab.location.hash) tab.history.replaceState(null, '', tab.location.pathname + tab.location.search);
  return {
    hello() {
      if (code) {
        const c = code;
        code = undefined;
        return { hello: { code: c } };
      }
      const session = tab.storage.getItem(SESSION_STORAGE_KEY);
      return session ? { hello: { session } } : undefined;
    },
    keep: (session) => tab.storage.setItem(SESSION_STORAGE_KEY, session),
    forget: () => tab.storage.removeItem(SESSION_STORAGE_KEY),
  };
}
