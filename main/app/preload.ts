/**
 * The preload: exposes exactly one object, `window.berth`, built from the
 * contract's call names, and nothing else. It runs sandboxed, so it is
 * bundled (see package.json build:preload) and imports only `electron`.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { CALL_PREFIX, EVENT_CHANNEL } from '../contract/call-names';
import { makeBerthApi } from '../contract/client-factory';

const api = makeBerthApi({
  call: (name, args) => ipcRenderer.invoke(`${CALL_PREFIX}${name}`, args),
  subscribe: (event, listener) => {
    const wrapped = (_e: unknown, name: string, payload: unknown) => {
      if (name === event) listener(payload);
    };
    ipcRenderer.on(EVENT_CHANNEL, wrapped);
    return () => ipcRenderer.removeListener(EVENT_CHANNEL, wrapped);
  },
});

contextBridge.exposeInMainWorld('berth', api);
