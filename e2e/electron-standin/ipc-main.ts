/**
 * ELECTRON STAND-IN (test-only): ipcMain. The page's ipcRenderer.invoke
 * arrives here over a Playwright binding; an invoke on a channel nobody
 * handles rejects as in Electron, and is a failure (a channel name that
 * differs between the preload and main).
 */
import { record, recordFailure } from './record';
import { strict } from './strict';

type Handler = (event: unknown, ...args: unknown[]) => unknown;
const handlers = new Map<string, Handler>();
// ipcRenderer.send is not emulated in the page (Berth's preload only invokes), so these never fire.
const listeners = new Map<string, Handler[]>();

export const ipcMain = strict('ipcMain', {
  handle(channel: string, handler: Handler) {
    if (handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    handlers.set(channel, handler);
  },
  on(channel: string, listener: Handler) {
    listeners.set(channel, [...(listeners.get(channel) ?? []), listener]);
  },
});

/** Carries out an invoke from a page, as Electron would: the handler's value, or its error. */
export async function invokeFromPage(sender: unknown, url: string, channel: string, args: unknown[]): Promise<unknown> {
  const handler = handlers.get(channel);
  record.ipcInvokes[channel] = (record.ipcInvokes[channel] ?? 0) + 1;
  if (!handler) {
    recordFailure(`ipcRenderer.invoke('${channel}') has no handler in main`);
    throw new Error(`Error invoking remote method '${channel}': Error: No handler registered for '${channel}'`);
  }
  return handler({ sender, senderFrame: { url } }, ...args);
}
