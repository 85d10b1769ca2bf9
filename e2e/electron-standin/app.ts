/**
 * ELECTRON STAND-IN (test-only): `app`. It keeps the process alive as
 * Electron's main process is, emits ready once, and quits in Electron's
 * order: before-quit (preventable), windows closed, will-quit, quit, exit.
 */
import { EventEmitter } from 'node:events';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { recordCall } from './record';
import { strict } from './strict';
import { loginItemMembers } from './login-items';

/** An Electron-style event whose default can be prevented. */
export function preventable(): { preventDefault(): void; defaultPrevented: boolean } {
  const e = {
    defaultPrevented: false,
    preventDefault() {
      e.defaultPrevented = true;
    },
  };
  return e;
}

/** Hooks the window and browser modules register, so `app` stays free of them. */
export const lifecycle = {
  closeAllWindows: (): boolean => true,
  shutdown: async (): Promise<void> => undefined,
};

class StandinApp extends EventEmitter {
  /** A packaged launch (launch.ts's `resources`) sets process.resourcesPath, as Electron does. */
  readonly isPackaged = !!process.env.ELECTRON_STANDIN_RESOURCES;
  readonly name = 'Berth';
  private ready = false;
  private readonly readyPromise: Promise<void>;
  // Electron's main process lives until it quits; an empty event loop must not end it.
  private readonly keepAlive = setInterval(() => undefined, 1 << 30);

  constructor() {
    super();
    this.readyPromise = new Promise((resolve) =>
      setImmediate(() => {
        this.ready = true;
        this.emit('ready');
        resolve();
      }),
    );
  }

  whenReady(): Promise<void> {
    return this.readyPromise;
  }

  isReady(): boolean {
    return this.ready;
  }

  getName(): string {
    return this.name;
  }

  private readonly loginItems = loginItemMembers(process.platform);
  readonly getLoginItemSettings = this.loginItems.getLoginItemSettings;
  readonly setLoginItemSettings = this.loginItems.setLoginItemSettings;
  /** macOS only: the menu-bar app hides its Dock icon. */
  readonly dock = process.platform === 'darwin' ? { hide: () => recordCall('app.dock.hide') } : undefined;

  getVersion(): string {
    return '0.0.0-standin';
  }

  /** Electron's Linux defaults, so a temp HOME or XDG_CONFIG_HOME keeps everything in the test's folder. */
  getPath(name: string): string {
    const appData = process.env.XDG_CONFIG_HOME || join(homedir(), '.config');
    const paths: Record<string, string> = { home: homedir(), appData, userData: join(appData, this.name), logs: join(appData, this.name, 'logs'), temp: tmpdir() };
    if (!(name in paths)) throw new Error(`app.getPath('${name}') is not emulated by the Electron stand-in`);
    return paths[name];
  }

  /** One instance per test launch: the test never starts two at once. */
  requestSingleInstanceLock(): boolean {
    recordCall('app.requestSingleInstanceLock');
    return true;
  }

  quit(): void {
    recordCall('app.quit');
    const e = preventable();
    this.emit('before-quit', e);
    if (e.defaultPrevented || !lifecycle.closeAllWindows()) return;
    const w = preventable();
    this.emit('will-quit', w);
    if (w.defaultPrevented) return;
    this.emit('quit', {}, 0);
    this.exit(0);
  }

  /** Ends the process with this code, without before-quit, as Electron's app.exit does. */
  exit(code = 0): void {
    recordCall('app.exit', code);
    clearInterval(this.keepAlive);
    void lifecycle.shutdown().finally(() => process.exit(code));
  }
}

export const app = strict('app', new StandinApp());
