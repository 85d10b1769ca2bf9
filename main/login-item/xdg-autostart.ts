import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** ~/.config/autostart, or $XDG_CONFIG_HOME/autostart. */
export function autostartDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'autostart');
}

/** Quotes an Exec argument per the Desktop Entry spec. */
function quoteArg(a: string): string {
  return /[\s"'\\`$]/.test(a) ? `"${a.replace(/(["`$\\])/g, '\\$1')}"` : a;
}

/**
 * Start at login on Linux, by the XDG Autostart spec: a berth.desktop file in
 * the autostart folder that runs `command` (the program, then its arguments).
 * An AppImage is started through $APPIMAGE (the mounted path changes every run).
 */
export class XdgAutostart {
  readonly file: string;

  constructor(
    private readonly command: readonly string[],
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {
    this.file = join(autostartDir(env), 'berth.desktop');
  }

  desktopEntry(): string {
    const [program, ...args] = this.command;
    const exe = this.env.APPIMAGE || program;
    return [
      '[Desktop Entry]',
      'Type=Application',
      'Name=Berth',
      'Comment=Docker engine in a small VM',
      `Exec=${[exe, ...args].map(quoteArg).join(' ')}`,
      'Terminal=false',
      'X-GNOME-Autostart-enabled=true',
      '',
    ].join('\n');
  }

  isEnabled(): boolean {
    return existsSync(this.file) && /X-GNOME-Autostart-enabled=true/.test(readFileSync(this.file, 'utf8'));
  }

  set(enabled: boolean): boolean {
    if (enabled) {
      mkdirSync(autostartDir(this.env), { recursive: true });
      writeFileSync(this.file, this.desktopEntry());
    } else {
      rmSync(this.file, { force: true });
    }
    return this.isEnabled();
  }
}
