/**
 * ELECTRON STAND-IN (test-only): BrowserWindow and its webContents, each a
 * page in Debian's Chromium. The real preload runs before the renderer (see
 * preload-shim.ts); will-navigate and the window-open handler are asked as
 * Electron asks them; show, hide and close are recorded.
 */
import { EventEmitter } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { Page, Route } from 'playwright-core';
import { lifecycle, preventable } from './app';
import { invokeFromPage } from './ipc-main';
import { BINDINGS, EMIT_HOOK, preloadInitScript } from './preload-shim';
import { record, recordFailure, type WindowRecord } from './record';
import { browserContext } from './session';
import { strict } from './strict';

type OpenHandler = (d: { url: string; frameName: string; features: string; disposition: string }) => { action: 'allow' | 'deny' };

const windows: StandinWindow[] = [];

/** A window's page. The gate lets through the loads the app asked for and asks will-navigate about the rest. */
class StandinWebContents extends EventEmitter {
  destroyed = false;
  private openHandler?: OpenHandler;
  private expected?: string;
  readonly page: Promise<Page>;
  /** The last load the app started; settles when its page has loaded (or failed to). */
  loading: Promise<unknown> = Promise.resolve();

  constructor(
    readonly owner: StandinWindow,
    preload: string,
  ) {
    super();
    this.page = this.open(preload);
  }

  private async open(preload: string): Promise<Page> {
    const ctx = await browserContext((route) => gateFor(route));
    const page = await ctx.newPage();
    pages.set(page, this);
    page.on('pageerror', (e) => recordFailure(`page error in window ${this.owner.id}: ${e.message}`));
    await page.exposeBinding(BINDINGS.invoke, (source, channel: string, args: unknown[]) => invokeFromPage(this.proxy, source.frame.url(), channel, args));
    await page.exposeBinding(BINDINGS.windowOpen, (_s, url: string, frameName: string, features: string) => this.askWindowOpen(url, frameName, features));
    if (!existsSync(preload)) recordFailure(`Unable to load preload script: ${preload}`);
    else await page.addInitScript(preloadInitScript(readFileSync(preload, 'utf8')));
    return page;
  }

  /** The strict proxy the app holds; set by the window. */
  proxy: unknown = this;

  gate(route: Route): { allow: boolean; record?: (h: Record<string, string>) => void } {
    const url = route.request().url();
    const rec = this.owner.rec;
    if (this.expected === url) {
      this.expected = undefined;
      return { allow: true, record: (h) => (rec.mainFrameHeaders = h) };
    }
    const e = preventable();
    this.emit('will-navigate', e, url);
    rec.navigations.push({ url, prevented: e.defaultPrevented });
    return { allow: !e.defaultPrevented, record: (h) => (rec.mainFrameHeaders = h) };
  }

  private askWindowOpen(url: string, frameName: string, features: string): void {
    const result = this.openHandler?.({ url, frameName, features, disposition: 'new-window' }) ?? { action: 'allow' };
    this.owner.rec.windowOpens.push({ url, action: result.action });
    if (result.action !== 'deny') recordFailure(`window.open(${url}) was allowed; the stand-in does not open child windows`);
  }

  load(url: string): Promise<void> {
    const done = this.goto(url);
    this.loading = done.catch(() => undefined);
    return done;
  }

  private async goto(url: string): Promise<void> {
    this.expected = url;
    this.owner.rec.events.push(`load:${url}`);
    const page = await this.page;
    const response = await page.goto(url);
    this.owner.rec.url = page.url();
    if (!response) throw new Error(`ERR_FAILED (-2) loading '${url}'`);
  }

  setWindowOpenHandler(handler: OpenHandler): void {
    this.openHandler = handler;
  }

  isDestroyed(): boolean {
    return this.destroyed;
  }

  send(channel: string, ...args: unknown[]): void {
    if (this.destroyed) throw new Error('Object has been destroyed');
    // A message sent before the page has its preload is dropped, as in Electron.
    const script = `window[${JSON.stringify(EMIT_HOOK)}]?.(${JSON.stringify(channel)}, ${JSON.stringify(args)})`;
    void this.page.then((p) => p.evaluate(script)).catch(() => undefined);
  }
}

const pages = new Map<Page, StandinWebContents>();
function gateFor(route: Route) {
  const wc = pages.get(route.request().frame().page());
  return wc ? wc.gate(route) : { allow: false };
}

/** A dashboard-style window: one Chromium page, headless; visibility is recorded. */
export class StandinWindow extends EventEmitter {
  private static nextId = 1;
  readonly id = StandinWindow.nextId++;
  readonly rec: WindowRecord;
  readonly webContents: StandinWebContents;

  constructor(options: { webPreferences?: Record<string, unknown>; show?: boolean } = {}) {
    super();
    const prefs = options.webPreferences ?? {};
    this.rec = { id: this.id, webPreferences: prefs, events: [], visible: false, destroyed: false, navigations: [], windowOpens: [] };
    record.windows.push(this.rec);
    if (prefs.sandbox !== true || prefs.contextIsolation !== true || prefs.nodeIntegration === true) {
      recordFailure(`window ${this.id}: the stand-in emulates only sandboxed, context-isolated preloads without Node`);
    }
    this.webContents = new StandinWebContents(this, String(prefs.preload ?? ''));
    this.webContents.proxy = strict('webContents', this.webContents);
    windows.push(this);
    if (options.show !== false) this.show();
    return strict('BrowserWindow', this);
  }

  static getAllWindows(): StandinWindow[] {
    return windows.filter((w) => !w.rec.destroyed);
  }

  loadFile(path: string): Promise<void> {
    return this.webContents.load(pathToFileURL(path).href);
  }

  loadURL(url: string): Promise<void> {
    return this.webContents.load(url);
  }

  show(): void {
    this.rec.visible = true;
    this.rec.events.push('show');
  }

  hide(): void {
    this.rec.visible = false;
    this.rec.events.push('hide');
  }

  focus(): void {
    this.rec.events.push('focus');
  }

  isDestroyed(): boolean {
    return this.rec.destroyed;
  }

  /** What the window's close button does: 'close' may be prevented; otherwise the page goes away. */
  close(): boolean {
    const e = preventable();
    this.rec.events.push('close');
    this.emit('close', e);
    if (e.defaultPrevented) return false;
    this.rec.events.push('closed');
    this.rec.visible = false;
    this.rec.destroyed = true;
    this.webContents.destroyed = true;
    void this.webContents.page.then((p) => p.close()).catch(() => undefined);
    this.emit('closed');
    return true;
  }
}

lifecycle.closeAllWindows = () => StandinWindow.getAllWindows().every((w) => w.close());

/** The window with this id, for the control channel. */
export function windowById(id: number): StandinWindow | undefined {
  return windows.find((w) => w.id === id);
}

/** The module-level webContents API; electron-log asks it for every page. */
export const webContents = strict('webContents (module)', {
  getAllWebContents: () => StandinWindow.getAllWindows().map((w) => w.webContents.proxy),
});
