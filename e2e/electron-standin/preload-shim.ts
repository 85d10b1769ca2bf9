/**
 * ELECTRON STAND-IN (test-only): the script that runs in the page before the
 * renderer and gives the real preload bundle what a sandboxed Electron preload
 * has: `require('electron')` with contextBridge and ipcRenderer, nothing else.
 * ipcRenderer.invoke goes to the stand-in's ipcMain over a Playwright binding;
 * webContents.send arrives through EMIT_HOOK. window.open asks the app's
 * window-open handler, as Electron does, and opens nothing on a deny.
 */

/** Playwright bindings the stand-in exposes to the page. */
export const BINDINGS = { invoke: '__electronStandinInvoke', windowOpen: '__electronStandinWindowOpen' } as const;

/** What webContents.send calls in the page. */
export const EMIT_HOOK = '__electronStandinEmit';

/** The init script: the emulated sandbox around the preload's own source. */
export function preloadInitScript(preloadSource: string): string {
  return `(() => {
  const strictObject = (name, target) => new Proxy(target, {
    get(t, key) {
      if (typeof key === 'symbol' || key in t || key === 'then') return t[key];
      throw new Error(name + '.' + String(key) + ' is not implemented by the Electron stand-in');
    },
  });
  const listeners = new Map();
  const ipcRenderer = strictObject('ipcRenderer', {
    invoke: (channel, ...args) => window[${JSON.stringify(BINDINGS.invoke)}](channel, args),
    on(channel, fn) {
      if (!listeners.has(channel)) listeners.set(channel, new Set());
      listeners.get(channel).add(fn);
      return ipcRenderer;
    },
    removeListener(channel, fn) {
      listeners.get(channel)?.delete(fn);
      return ipcRenderer;
    },
  });
  Object.defineProperty(window, ${JSON.stringify(EMIT_HOOK)}, {
    value: (channel, args) => {
      for (const fn of [...(listeners.get(channel) ?? [])]) fn({ sender: ipcRenderer }, ...args);
    },
  });
  const contextBridge = strictObject('contextBridge', {
    exposeInMainWorld(key, api) {
      Object.defineProperty(window, key, { value: Object.freeze(api), enumerable: true });
    },
  });
  const electron = strictObject('electron (renderer)', { contextBridge, ipcRenderer });
  const require = (name) => {
    if (name === 'electron') return electron;
    throw new Error('a sandboxed preload cannot require "' + name + '" (Electron stand-in)');
  };
  window.open = (url = '', target = '', features = '') => {
    void window[${JSON.stringify(BINDINGS.windowOpen)}](String(new URL(url, location.href)), String(target), String(features));
    return null;
  };
  document.addEventListener('click', (e) => {
    const a = e.target instanceof Element ? e.target.closest('a[target="_blank"]') : null;
    if (!a) return;
    e.preventDefault();
    void window[${JSON.stringify(BINDINGS.windowOpen)}](a.href, '_blank', '');
  }, true);
  const module = { exports: {} };
  (function (require, module, exports) {
${preloadSource}
  }).call(module.exports, require, module, module.exports);
})();`;
}
