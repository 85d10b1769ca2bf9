/**
 * ELECTRON STAND-IN (test-only): the default session over one Chromium
 * context. Every request the page makes passes through here: file:// is read
 * from disk (as Electron's loadFile does), http(s) is fetched, and the app's
 * onHeadersReceived hook rewrites each response's headers as Electron would.
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Route } from 'playwright-core';
import { CHROMIUM as DEFAULT_CHROMIUM, launchQuietChromium } from '../helpers/chromium';
import { lifecycle } from './app';
import { recordCall, recordFailure } from './record';
import { strict } from './strict';

const CHROMIUM = process.env.ELECTRON_STANDIN_CHROMIUM ?? DEFAULT_CHROMIUM;
const MIME: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.ico': 'image/x-icon',
};

type Headers = Record<string, string[]>;
type HeadersListener = (details: Record<string, unknown>, callback: (r: { cancel?: boolean; responseHeaders?: Headers }) => void) => void;

/** Decides, per main-frame navigation, whether the app lets it happen (will-navigate). */
export type NavigationGate = (route: Route) => { allow: boolean; record?: (headers: Record<string, string>) => void };

let headersListener: HeadersListener | undefined;
let browser: Promise<Browser> | undefined;
let context: Promise<BrowserContext> | undefined;

function resourceType(route: Route): string {
  const r = route.request();
  if (r.resourceType() === 'document') return r.frame().parentFrame() ? 'subFrame' : 'mainFrame';
  return { stylesheet: 'stylesheet', script: 'script', image: 'image', font: 'font', xhr: 'xhr', fetch: 'xhr' }[r.resourceType()] ?? 'other';
}

/** Runs the app's header hook, as Electron does for every response. */
function applyHeadersHook(url: string, type: string, headers: Headers): Promise<Headers | undefined> {
  if (!headersListener) return Promise.resolve(headers);
  return new Promise((resolve) =>
    headersListener!({ id: 0, url, method: 'GET', resourceType: type, timestamp: Date.now(), statusCode: 200, statusLine: 'HTTP/1.1 200 OK', responseHeaders: headers }, (r) =>
      resolve(r.cancel ? undefined : (r.responseHeaders ?? headers)),
    ),
  );
}

function flatten(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) out[k.toLowerCase()] = v.join(', ');
  return out;
}

async function serve(route: Route, gate: NavigationGate): Promise<void> {
  const url = route.request().url();
  const type = resourceType(route);
  const verdict = type === 'mainFrame' ? gate(route) : { allow: true };
  if (!verdict.allow) return route.abort('aborted');
  let body: Buffer;
  let headers: Headers;
  if (url.startsWith('file:')) {
    const path = fileURLToPath(url);
    try {
      body = readFileSync(path);
    } catch {
      return route.abort('failed');
    }
    headers = { 'Content-Type': [MIME[extname(path)] ?? 'application/octet-stream'] };
  } else {
    const response = await route.fetch();
    body = await response.body();
    headers = Object.fromEntries(Object.entries(response.headers()).map(([k, v]) => [k, [v]]));
  }
  const finalHeaders = await applyHeadersHook(url, type, headers);
  if (!finalHeaders) return route.abort('blockedbyclient');
  const flat = flatten(finalHeaders);
  verdict.record?.(flat);
  return route.fulfill({ status: 200, body, headers: flat });
}

/** The one Chromium context, launched on the first window; its routes go through the gate. */
export function browserContext(gate: NavigationGate): Promise<BrowserContext> {
  context ??= (async () => {
    // --allow-file-access-from-files: Electron lets a file:// page load its own module scripts; Chromium does not by default.
    browser = launchQuietChromium(['--allow-file-access-from-files'], CHROMIUM);
    const ctx = await (await browser).newContext({ viewport: { width: 1100, height: 720 } });
    await ctx.route('**/*', (route) => serve(route, gate).catch((e: Error) => recordFailure(`serving ${route.request().url()}: ${e.message}`)));
    return ctx;
  })();
  return context;
}

lifecycle.shutdown = async () => {
  if (!browser) return;
  const b = await browser.catch(() => undefined);
  await Promise.race([b?.close(), new Promise((r) => setTimeout(r, 5000))]);
};

const webRequest = strict('session.webRequest', {
  onHeadersReceived(...args: unknown[]) {
    if (args.length !== 1 || typeof args[0] !== 'function') recordFailure('session.webRequest.onHeadersReceived: only the one-listener form is emulated');
    headersListener = args[args.length - 1] as HeadersListener;
  },
});

/** session.defaultSession: the permission handler is recorded; Chromium here grants nothing anyway. */
export const session = strict('session', {
  defaultSession: strict('session.defaultSession', {
    webRequest,
    setPermissionRequestHandler: (handler: unknown) => recordCall('session.setPermissionRequestHandler', typeof handler),
  }),
});
