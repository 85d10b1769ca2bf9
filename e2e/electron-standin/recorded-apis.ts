/**
 * ELECTRON STAND-IN (test-only): shell, clipboard, dialog and Notification,
 * recorded and never carried out (no browser opens, the real clipboard is
 * untouched, no one is asked).
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

/**
 * A message box is recorded and answered as the test chose: the button whose
 * label ELECTRON_STANDIN_DIALOG_ANSWER names (set on purpose by the test), else
 * the cancel button, as a person who closed it would.
 */
export const dialog = strict('dialog', {
  showMessageBox: async (options: { buttons: string[]; cancelId?: number; message: string }) => {
    recordCall('dialog.showMessageBox', options);
    const chosen = options.buttons.indexOf(process.env.ELECTRON_STANDIN_DIALOG_ANSWER ?? '');
    return { response: chosen >= 0 ? chosen : (options.cancelId ?? options.buttons.length - 1) };
  },
});
