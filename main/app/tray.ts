import { Menu, nativeImage, Tray, type MenuItemConstructorOptions } from 'electron';
import { join } from 'node:path';
import type { VmState } from '../vm/vm-state';
import type { MenuAction, MenuItemModel } from './tray-menu';

/** Turns the pure menu model into an Electron Menu; clicks go to `onAction`. */
export function toElectronMenu(items: MenuItemModel[], onAction: (a: MenuAction) => void): MenuItemConstructorOptions[] {
  return items.map((i) => ({
    id: i.id,
    label: i.label,
    type: i.type ?? 'normal',
    enabled: i.enabled ?? true,
    checked: i.checked,
    click: i.action ? () => onAction(i.action!) : undefined,
    submenu: i.submenu ? toElectronMenu(i.submenu, onAction) : undefined,
  }));
}

/** The menu-bar icon: one template image per state (with @2x variants in assets/). */
export class BerthTray {
  private readonly tray: Tray;

  constructor(private readonly assetsDir: string) {
    this.tray = new Tray(this.icon('stopped'));
    this.tray.setToolTip('Berth');
  }

  private icon(state: VmState) {
    const img = nativeImage.createFromPath(join(this.assetsDir, `tray-${state}Template.png`));
    img.setTemplateImage(true);
    return img;
  }

  update(state: VmState, items: MenuItemModel[], onAction: (a: MenuAction) => void): void {
    this.tray.setImage(this.icon(state));
    this.tray.setContextMenu(Menu.buildFromTemplate(toElectronMenu(items, onAction)));
  }
}
