/**
 * The one way a `BerthApi` is made, whatever carries it: Electron IPC (the
 * preload), the dashboard's WebSocket, or the mock backend. A transport only
 * says how to send one call and how to subscribe to one event; the api object
 * (one function per contract call, plus `on`) is built here from the contract's
 * names. Plain code with no imports but the names, so the sandboxed preload
 * and the renderer can both load it.
 */
import type { BerthApi, CallName, EventName, Reply } from './berth-api';
import { CALL_NAME_LIST } from './call-names';

/** How one transport carries calls and events. */
export interface Transport {
  call(name: CallName, args: unknown[]): Promise<Reply<unknown>>;
  subscribe(event: EventName, listener: (payload: unknown) => void): () => void;
}

/** A frozen BerthApi over a transport. */
export function makeBerthApi(t: Transport): BerthApi {
  const api: Record<string, unknown> = {};
  for (const name of CALL_NAME_LIST) api[name] = (...args: unknown[]) => t.call(name, args);
  api.on = (event: EventName, listener: (payload: unknown) => void) => t.subscribe(event, listener);
  return Object.freeze(api) as unknown as BerthApi;
}
