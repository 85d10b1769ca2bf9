import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { XdgAutostart } from './xdg-autostart';

describe('XdgAutostart (real files)', () => {
  test('writes berth.desktop with Exec --hidden and X-GNOME-Autostart-enabled, and removes it', () => {
    const cfg = mkdtempSync(join(tmpdir(), 'berth-xdg-'));
    const a = new XdgAutostart(['/opt/Berth/berth', '--hidden'], { XDG_CONFIG_HOME: cfg });
    expect(a.isEnabled()).toBe(false);
    expect(a.set(true)).toBe(true);
    const text = readFileSync(join(cfg, 'autostart', 'berth.desktop'), 'utf8');
    expect(text).toContain('[Desktop Entry]');
    expect(text).toContain('Exec=/opt/Berth/berth --hidden');
    expect(text).toContain('X-GNOME-Autostart-enabled=true');
    expect(a.set(false)).toBe(false);
    expect(existsSync(join(cfg, 'autostart', 'berth.desktop'))).toBe(false);
  });

  test('an AppImage starts through $APPIMAGE, quoted when it has spaces', () => {
    const cfg = mkdtempSync(join(tmpdir(), 'berth-xdg-'));
    const a = new XdgAutostart(['/tmp/.mount_x/berth', '--hidden'], { XDG_CONFIG_HOME: cfg, APPIMAGE: '/home/u/Apps/Berth 1.0.AppImage' });
    expect(a.desktopEntry()).toContain('Exec="/home/u/Apps/Berth 1.0.AppImage" --hidden');
  });

  test('an unpacked app starts its entry script with the runtime; arguments are quoted one by one', () => {
    const a = new XdgAutostart(['/usr/lib/electron/electron', '/home/u/my code/dist/main/app/index.js', '--hidden'], {});
    expect(a.desktopEntry()).toContain('Exec=/usr/lib/electron/electron "/home/u/my code/dist/main/app/index.js" --hidden');
  });
});
