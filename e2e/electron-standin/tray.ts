/**
 * ELECTRON STAND-IN (test-only): Tray, Menu and nativeImage as recorders. The
 * menu keeps the template's click functions so a test can click an item by
 * its id exactly as Electron would call it.
 */
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { recordFailure, recordTray, type RecordedItem } from './record';
import { strict } from './strict';

/** The subset of MenuItemConstructorOptions the stand-in understands. */
interface TemplateItem {
  id?: string;
  label?: string;
  type?: string;
  enabled?: boolean;
  checked?: boolean;
  click?: (...args: unknown[]) => void;
  submenu?: TemplateItem[];
}

const KNOWN_KEYS = new Set(['id', 'label', 'type', 'enabled', 'checked', 'click', 'submenu']);

/** nativeImage: an image is its path; a missing file gives an empty image, as in Electron. */
export class StandinImage {
  private template = false;
  constructor(readonly path: string) {}
  isEmpty(): boolean {
    return !existsSync(this.path);
  }
  setTemplateImage(on: boolean): void {
    this.template = on;
  }
  isTemplateImage(): boolean {
    return this.template;
  }
}

export const nativeImage = strict('nativeImage', {
  createFromPath: (path: string) => strict('NativeImage', new StandinImage(path)),
});

/** A built menu: the template as given. */
export class StandinMenu {
  constructor(readonly items: TemplateItem[]) {}
}

function checkTemplate(items: TemplateItem[]): void {
  for (const i of items) {
    for (const k of Object.keys(i)) if (!KNOWN_KEYS.has(k)) recordFailure(`Menu template key "${k}" is not understood by the Electron stand-in`);
    if (i.submenu) checkTemplate(i.submenu);
  }
}

export const Menu = strict('Menu', {
  buildFromTemplate(template: TemplateItem[]) {
    checkTemplate(template);
    return new StandinMenu(template);
  },
});

function toRecord(items: TemplateItem[]): RecordedItem[] {
  // Electron's defaults for what the template leaves out; the click function becomes a flag.
  return items.map(({ click, submenu, ...rest }) => ({ type: 'normal', enabled: true, ...rest, clickable: typeof click === 'function', submenu: submenu && toRecord(submenu) }));
}

function findTemplateItem(items: TemplateItem[], id: string): TemplateItem | undefined {
  for (const i of items) {
    if (i.id === id) return i;
    const inner = i.submenu && findTemplateItem(i.submenu, id);
    if (inner) return inner;
  }
  return undefined;
}

let current: StandinTray | undefined;

/** The menu-bar icon; records its image, tooltip and menu on every change. */
export class StandinTray {
  private image: StandinImage;
  private tooltip?: string;
  private menu?: StandinMenu;
  private rebuilds = 0;

  constructor(image: StandinImage) {
    this.image = image;
    current = this;
    this.publish();
    return strict('Tray', this);
  }

  setImage(image: StandinImage): void {
    this.image = image;
    this.publish();
  }

  setToolTip(text: string): void {
    this.tooltip = text;
    this.publish();
  }

  setContextMenu(menu: StandinMenu): void {
    this.menu = menu;
    this.rebuilds++;
    this.publish();
  }

  private publish(): void {
    if (this.image.isEmpty()) recordFailure(`tray image ${this.image.path} does not exist`);
    recordTray({ image: basename(this.image.path), tooltip: this.tooltip, menu: toRecord(this.menu?.items ?? []), menuRebuilds: this.rebuilds });
  }

  /** A click on the item with this id, as Electron delivers it; a disabled or missing item cannot be clicked. */
  click(id: string): void {
    const item = this.menu && findTemplateItem(this.menu.items, id);
    if (!item) throw new Error(`the tray menu has no item "${id}"`);
    if (item.enabled === false) throw new Error(`the tray menu item "${id}" is disabled`);
    if (!item.click) throw new Error(`the tray menu item "${id}" has no click handler`);
    item.click({ id, label: item.label, checked: item.checked }, undefined, { triggeredByAccelerator: false });
  }
}

/** The app's tray, for the control channel. */
export function currentTray(): StandinTray | undefined {
  return current;
}
