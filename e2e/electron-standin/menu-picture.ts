/**
 * ELECTRON STAND-IN (test-only): draws a recorded tray menu as a picture, the
 * way a menu-bar menu looks (icon in the bar, the menu below, one submenu
 * opened beside it), so a reader sees what the real code put in the menu.
 */
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import type { RecordedItem } from './record';

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

function itemsHtml(items: RecordedItem[], open: string[]): string {
  return items
    .map((i) => {
      if (i.type === 'separator') return '<div class="sep"></div>';
      const mark = i.type === 'checkbox' ? (i.checked ? '✓' : '') : '';
      const arrow = i.type === 'submenu' ? '<span class="arrow">›</span>' : '';
      return `<div class="item${i.enabled ? '' : ' off'}${i.id && open.includes(i.id) ? ' open' : ''}"><span class="mark">${mark}</span><span class="label">${esc(i.label ?? '')}</span>${arrow}</div>`;
    })
    .join('');
}

function html(items: RecordedItem[], iconPng: Buffer, open: string[]): string {
  const menus: RecordedItem[][] = [items];
  for (const id of open) {
    const sub = menus[menus.length - 1].find((i) => i.id === id)?.submenu;
    if (sub) menus.push(sub);
  }
  return `<!doctype html><html><head><style>
  body { margin: 0; font: 13px system-ui, sans-serif; background: #d9dde3; display: inline-block; padding: 0 24px 24px 24px; }
  .bar { height: 26px; margin: 0 -24px; background: rgba(246,246,246,.95); display: flex; align-items: center; padding-left: 40px; }
  .bar img { height: 16px; padding: 3px 8px; border-radius: 4px; background: rgba(0,0,0,.12); }
  .menus { display: flex; gap: 2px; align-items: flex-start; margin-left: 16px; }
  .menu { background: #f4f4f4; border-radius: 7px; box-shadow: 0 6px 24px rgba(0,0,0,.25); padding: 5px; min-width: 200px; }
  .item { display: flex; padding: 3px 8px; border-radius: 4px; white-space: nowrap; color: #1d1d1f; }
  .item.off { color: #9a9a9f; }
  .item.open { background: #3478f6; color: white; }
  .mark { width: 16px; } .label { flex: 1; } .arrow { margin-left: 16px; }
  .sep { height: 1px; background: #d4d4d8; margin: 5px 8px; }
  </style></head><body>
  <div class="bar"><img src="data:image/png;base64,${iconPng.toString('base64')}"></div>
  <div class="menus">${menus.map((m) => `<div class="menu">${itemsHtml(m, open)}</div>`).join('')}</div>
  <script>
    // Each opened submenu starts level with the item that opened it, as a real menu does.
    (() => {
      let offset = 0;
      for (const m of document.querySelectorAll('.menu')) {
        m.style.marginTop = offset + 'px';
        const opener = m.querySelector('.item.open');
        if (opener) offset += opener.getBoundingClientRect().top - m.getBoundingClientRect().top - 5;
      }
    })();
  </script>
  </body></html>`;
}

/**
 * Renders the menu and saves a PNG. `open` lists the ids of the submenus to
 * show opened, outermost first; `relabel` rewrites labels (a temp path, say).
 */
export async function drawMenu(page: Page, items: RecordedItem[], iconPath: string, out: string, o: { open?: string[]; relabel?: (label: string) => string } = {}): Promise<void> {
  const relabel = (list: RecordedItem[]): RecordedItem[] => list.map((i) => ({ ...i, label: i.label && o.relabel ? o.relabel(i.label) : i.label, submenu: i.submenu && relabel(i.submenu) }));
  await page.setContent(html(relabel(items), readFileSync(iconPath), o.open ?? []));
  await page.locator('body').screenshot({ path: out });
}
