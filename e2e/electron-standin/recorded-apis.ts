/**
 * ELECTRON STAND-IN (test-only): shell, clipboard and Notification, recorded
 * and never carried out (no browser opens, the real clipboard is untouched).
 */
import { recordCall } from './record';
import { strict } from './strict';

export const shell = strict('shell', {
  openExternal: async (url: string) => recordCall('shell.openExternal', url),
  openPath: async (path: string) => {
    recordCall('shell.openPath', path);
    return '';
  },
});

export const clipboard = strict('clipboard', {
  writeText: (text: string) => recordCall('clipboard.writeText', text),
});

/** A notification is recorded when it is shown, not when it is made. */
export class Notification {
  constructor(private readonly options: { title?: string; body?: string }) {
    return strict('Notification', this);
  }
  show(): void {
    recordCall('Notification.show', this.options);
  }
}
