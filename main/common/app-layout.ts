import { join } from 'node:path';

/** Every file the menu-bar app needs from its own install, packaged or not. */
export interface AppLayout {
  /** The built renderer (index.html and its assets). */
  renderer: string;
  /** The sandboxed preload bundle. */
  preload: string;
  /** The tray's template images. */
  trayIcons: string;
  /** The CLI entry the agent runs from (`<cli> agent`). */
  cliEntry: string;
  /** The guest image the package ships; undefined when unpacked (the build's cache is used). */
  vmAssets?: string;
}

/**
 * Where the app's files are. Unpacked, everything is under the project
 * (`appRoot`). Packaged by electron-builder, the code, renderer and preload are
 * inside `resources/app.asar` (Electron reads files in it as a folder), while
 * the guest image and the tray icons are extraResources beside it.
 */
export function appLayout(o: { packaged: boolean; resourcesPath: string; appRoot: string }): AppLayout {
  const code = o.packaged ? join(o.resourcesPath, 'app.asar') : o.appRoot;
  return {
    renderer: join(code, 'dist', 'renderer'),
    preload: join(code, 'dist', 'preload.js'),
    trayIcons: o.packaged ? join(o.resourcesPath, 'assets') : join(o.appRoot, 'assets'),
    cliEntry: join(code, 'dist', 'main', 'cli', 'index.js'),
    vmAssets: o.packaged ? join(o.resourcesPath, 'vm-assets') : undefined,
  };
}
