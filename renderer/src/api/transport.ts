/**
 * The UI's only way to main: the typed `window.berth` from the Electron
 * preload, or the same contract over the dashboard's WebSocket in a browser.
 */
import type { BerthApi, Reply } from '../../../main/contract/berth-api';
import { makeBerthApi } from '../../../main/contract/client-factory';

declare global {
  interface Window {
    berth?: BerthApi;
  }
}

/** The contract over a WebSocket to `berth dashboard`; the browser sends the session cookie. */
export function websocketApi(url: string): BerthApi {
  let ws: WebSocket | undefined;
  let opening: Promise<WebSocket> | undefined;
  let seq = 0;
  const pending = new Map<number, (r: Reply<unknown>) => void>();
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  const connect = (): Promise<WebSocket> => {
    if (ws && ws.readyState === WebSocket.OPEN) return Promise.resolve(ws);
    if (opening) return opening;
    opening = new Promise((resolve, reject) => {
      const s = new WebSocket(url);
      s.onopen = () => {
        ws = s;
        opening = undefined;
        resolve(s);
      };
      s.onerror = () => {
        opening = undefined;
        reject(new Error('the dashboard server refused the connection'));
      };
      s.onclose = () => {
        ws = undefined;
        for (const [, r] of pending) r({ ok: false, error: { code: 'disconnected', message: 'the dashboard server went away' } });
        pending.clear();
      };
      s.onmessage = (m) => {
        const msg = JSON.parse(String(m.data));
        if (typeof msg.id === 'number') {
          pending.get(msg.id)?.(msg.reply);
          pending.delete(msg.id);
        } else if (msg.event) {
          for (const l of listeners.get(msg.event) ?? []) l(msg.payload);
        }
      };
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
  // The session cookie (HttpOnly, set when the printed link was opened) authenticates the socket.
  return websocketApi(`ws://${location.host}/ws`);
}
