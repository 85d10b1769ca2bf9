/**
 * The dashboard window's webPreferences, as plain data so they are tested
 * without Electron. The URL rules and the CSP, which the dashboard server and
 * the CLI use too, live in main/contract/web-security.ts.
 */

/** webPreferences for the dashboard: isolated, sandboxed, no Node. */
export function secureWebPreferences(preload: string) {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    spellcheck: false,
  } as const;
}
