/**
 * ELECTRON STAND-IN (test-only, never shipped): what `require('electron')`
 * returns in the app's process under the stand-in. Only the members Berth's
 * main/app and electron-log use exist; reading any other throws, naming it.
 */
import { app } from './app';
import { StandinWindow, webContents } from './browser-window';
import { ipcMain } from './ipc-main';
import { clipboard, dialog, Notification, shell } from './recorded-apis';
import { session } from './session';
import { strict } from './strict';
import { Menu, nativeImage, StandinTray } from './tray';

module.exports = strict(
  'electron',
  {
    app,
    BrowserWindow: strict('BrowserWindow (class)', StandinWindow),
    Menu,
    Tray: strict('Tray (class)', StandinTray),
    Notification: strict('Notification (class)', Notification),
    nativeImage,
    shell,
    clipboard,
    dialog,
    session,
    ipcMain,
    webContents,
  },
  ['ipcRenderer', 'contextBridge', 'webFrame'],
);
