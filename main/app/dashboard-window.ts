import { BrowserWindow, session, shell } from 'electron';
import { join } from 'node:path';
import { CONTENT_SECURITY_POLICY, externalUrl, isAllowedNavigation } from '../contract/web-security';
import { secureWebPreferences } from './window-security';

/**
 * The dashboard window, created on first use. Closing it hides it; the app
 * stays in the menu bar. Navigation, new windows and permission requests are
 * refused; only localhost links go out to the default browser.
 */
export class DashboardWindow {
  private win?: BrowserWindow;
  private quitting = false;

  constructor(
    private readonly rendererDir: string,
    private readonly preload: string,
  ) {}

  /** Lets the window really close when the app quits. */
  allowClose(): void {
    this.quitting = true;
  }

  get webContents() {
    return this.win && !this.win.isDestroyed() ? [this.win.webContents] : [];
  }

  show(): void {
    if (!this.win || this.win.isDestroyed()) this.win = this.create();
    this.win.show();
    this.win.focus();
  }

  private create(): BrowserWindow {
    const ses = session.defaultSession;
    ses.setPermissionRequestHandler((_wc, _perm, cb) => cb(false));
    ses.webRequest.onHeadersReceived((details, cb) => cb({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } }));
    const win = new BrowserWindow({
      width: 1100,
      height: 720,
      show: false,
      title: 'Berth',
      webPreferences: secureWebPreferences(this.preload),
    });
    win.webContents.on('will-navigate', (e, url) => {
      if (!isAllowedNavigation(url)) e.preventDefault();
    });
    win.webContents.setWindowOpenHandler(({ url }) => {
      const href = externalUrl(url);
      if (href) void shell.openExternal(href);
      return { action: 'deny' };
    });
    win.on('close', (e) => {
      if (!this.quitting) {
        e.preventDefault();
        win.hide();
      }
    });
    void win.loadFile(join(this.rendererDir, 'index.html'));
    return win;
  }
}
