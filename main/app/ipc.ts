import { ipcMain, type WebContents } from 'electron';
import { CALL_NAMES, callChannel, EVENT_CHANNEL } from '../contract/berth-api';
import type { BerthService } from '../contract/berth-service';
import { dispatch } from '../contract/dispatcher';

/**
 * Electron IPC as one transport for the contract: each call channel goes
 * through the validating dispatcher, and service events go out on one channel.
 * No logic lives here.
 */
export function registerIpc(service: BerthService, targets: () => WebContents[]): void {
  const handlers = service.handlers();
  for (const name of CALL_NAMES) {
    ipcMain.handle(callChannel(name), (_event, args: unknown) => dispatch(handlers, name, args));
  }
  service.on('berth-event', (name: string, payload: unknown) => {
    for (const wc of targets()) if (!wc.isDestroyed()) wc.send(EVENT_CHANNEL, name, payload);
  });
}
