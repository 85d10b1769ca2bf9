import type { Plugin } from 'vite';
import { metaPolicy } from '../main/contract/web-security';

/**
 * Puts the app's Content-Security-Policy into the built index.html as a
 * `<meta>` tag, first in `<head>` so it governs every later element. Builds
 * only: the dev server injects inline scripts of its own for hot reload.
 */
export function cspMeta(): Plugin {
  return {
    name: 'berth-csp-meta',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler: () => [{ tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: metaPolicy() }, injectTo: 'head-prepend' }],
    },
  };
}
