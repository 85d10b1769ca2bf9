import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * A page that sends the browser on to the dashboard's link, written where only
 * this user can read it. The browser is started with this file's path, so the
 * link's code is never in a command line another local user can see in `ps`
 * (the way Jupyter opens its token). Returns the file's path and its remover.
 */
export function writeLaunchFile(dir: string, link: string): { path: string; remove: () => void } {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // An older folder may have been made with a looser umask.
  chmodSync(dir, 0o700);
  const file = join(dir, `open-${process.pid}.html`);
  rmSync(file, { force: true });
  const href = escapeHtml(link);
  const html = [
    '<!doctype html>',
    '<meta charset="utf-8">',
    '<meta name="referrer" content="no-referrer">',
    `<meta http-equiv="refresh" content="0;url=${href}">`,
    '<title>Berth dashboard</title>',
    `<p>Opening the Berth dashboard… If nothing happens, <a href="${href}">open it here</a>.</p>`,
    '',
  ].join('\n');
  writeFileSync(file, html, { mode: 0o600, flag: 'wx' });
  return { path: file, remove: () => rmSync(file, { force: true }) };
}
