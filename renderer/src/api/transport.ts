/**
 * The UI's only way to main: the typed `window.berth` from the Electron
 * preload, or the same contract over the dashboard's WebSocket in a browser.
 */
import type { BerthApi, Reply } from '../../../main/contract/berth-api';
import { makeBerthApi } from '../../../main/contract/client-factory';
import { UNAUTHORIZED_CLOSE, type Welcome } from '../../../main/contract/dashboard-wire';
import { type DashboardCredential, tabCredential } from './dashboard-credential';

declare global {
  interface Window {
    berth?: BerthApi;
  }
}

/** What a page without a good credential is told, wherever it shows errors. */
export const NO_SESSION = 'This page has no dashboard session: its link was used already or has expired. Run `berth dashboard` again and open the link it prints.';

/** What a connection hands back: each frame after the welcome, and its end. */
interface SocketEvents {
  message(msg: Frame): void;
  closed(): void;
}
type Frame = { id?: unknown; reply?: Reply<unknown>; event?: string; payload?: unknown };

/** One connection: sends the tab's hello and resolves once the server welcomes it. */
function openSocket(url: string, credential: DashboardCredential, on: SocketEvents): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const hello = credential.hello();
    if (!hello) return reject(new Error(NO_SESSION));
    const s = new WebSocket(url);
    let welcomed = false;
    s.onopen = () => s.send(JSON.stringify(hello));
    s.onclose = (e) => {
      if (e.code === UNAUTHORIZED_CLOSE) credential.forget();
      if (!welcomed) reject(new Error(e.code === UNAUTHORIZED_CLOSE ? NO_SESSION : 'the dashboard server refused the connection'));
      on.closed();
    };
    s.onmessage = (m) => {
      const msg = JSON.parse(String(m.data));
      if (welcomed) return on.message(msg);
      const session = (msg as Partial<Welcome>).welcome?.session;
      if (typeof session !== 'string') return;
      welcomed = true;
      credential.keep(session);
      resolve(s);
    };
  });
}

/**
 * The contract over a WebSocket to `berth dashboard`. Each connection first
 * sends the tab's credential and waits for the welcome; calls and events flow
 * only after it.
 */
export function websocketApi(url: string, credential: DashboardCredential): BerthApi {
  let ws: WebSocket | undefined;
  let opening: Promise<WebSocket> | undefined;
  let seq = 0;
  const pending = new Map<number, (r: Reply<unknown>) => void>();
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  const events: SocketEvents = {
    message: (msg) => {
      if (typeof msg.id === 'number') {
        pending.get(msg.id)?.(msg.reply as Reply<unknown>);
        pending.delete(msg.id);
      } else if (msg.event) {
        for (const l of listeners.get(msg.event) ?? []) l(msg.payload);
      }
    },
    closed: () => {
      ws = undefined;
      opening = undefined;
      for (const [, r] of pending) r({ ok: false, error: { code: 'disconnected', message: 'the dashboard server went away' } });
      pending.clear();
    },
  };
  const connect = (): Promise<WebSocket> => {
    if (ws && ws.readyState === WebSocket.OPEN) return Promise.resolve(ws);
    opening ??= openSocket(url, credential, events)
      .then((s) => {
        ws = s;
        return s;
      })
      .finally(() => {
        opening = undefined;
      });
    return opening;
  };
  const send = async (name: string, args: unknown[]): Promise<Reply<unknown>> => {
    try {
      const s = await connect();
      const id = ++seq;
      return await new Promise<Reply<unknown>>((resolve) => {
        pending.set(id, resolve);
        s.send(JSON.stringify({ id, call: name, args }));
      });
    } catch (e) {
      return { ok: false, error: { code: 'disconnected', message: (e as Error).message } };
    }
  };
  return makeBerthApi({
    call: send,
    subscribe: (event, listener) => {
      const set = listeners.get(event) ?? new Set();
      set.add(listener);
      listeners.set(event, set);
      void connect().catch(() => undefined);
      return () => set.delete(listener);
    },
  });
}

/** Electron's preload API if present, else the WebSocket transport for this page's server. */
export function berthApi(): BerthApi {
  if (window.berth) return window.berth;
  return websocketApi(`ws://${location.host}/ws`, tabCredential({ location, history, storage: sessionStorage }));
}
