import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { z } from 'zod';
import { hostLimits, settingsSchema, type HostLimits, type Settings } from './settings-schema';

/** A refused settings change; the stored file is left as it was. */
export class SettingsError extends Error {}

/** What loading found, so callers can tell the user about a recovered file. */
export interface LoadedSettings {
  settings: Settings;
  /** Set when the stored file was unreadable and was moved aside. */
  recovered?: { backup: string; reason: string };
}

/** Joins zod's issues into one line a person can act on. */
export function describeIssues(err: z.ZodError): string {
  return err.issues
    .map((i) => {
      if (i.code === 'unrecognized_keys') return `unknown setting${i.keys.length > 1 ? 's' : ''}: ${i.keys.join(', ')}`;
      return i.message;
    })
    .join('; ');
}

/**
 * Reads and writes settings.json. Writes are validated first and atomic
 * (temp file + rename), so a refused or interrupted change never damages the
 * stored file. A corrupt file is moved aside and the defaults are used.
 */
export class SettingsStore {
  private readonly schema: ReturnType<typeof settingsSchema>;

  constructor(
    readonly path: string,
    limits: HostLimits = hostLimits(),
  ) {
    this.schema = settingsSchema(limits);
  }

  defaults(): Settings {
    return this.schema.parse({});
  }

  /** Reads without side effects: an unreadable file gives the defaults and stays where it is (the agent moves it aside). */
  peek(): Settings {
    const r = this.read();
    return r && 'settings' in r ? r.settings : this.defaults();
  }

  load(): LoadedSettings {
    const r = this.read();
    if (!r) return { settings: this.defaults() };
    if ('settings' in r) return { settings: r.settings };
    const backup = `${this.path}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    renameSync(this.path, backup);
    return { settings: this.defaults(), recovered: { backup, reason: r.reason } };
  }

  /** The stored settings, or why they are unusable; undefined when there is no file. */
  private read(): { settings: Settings } | { reason: string } | undefined {
    if (!existsSync(this.path)) return undefined;
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (e) {
      return { reason: `unreadable (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` };
    }
    try {
      const r = this.schema.safeParse(JSON.parse(text));
      return r.success ? { settings: r.data } : { reason: describeIssues(r.error) };
    } catch (e) {
      return { reason: `not valid JSON (${(e as Error).message})` };
    }
  }

  /** Validates the merged result and stores it; throws SettingsError and writes nothing if it is invalid. */
  update(patch: Partial<Record<keyof Settings, unknown>>): Settings {
    return this.apply(this.load().settings, patch);
  }

  /** Like update, over settings the caller already holds (the agent keeps them in memory). */
  apply(current: Settings, patch: Partial<Record<keyof Settings, unknown>>): Settings {
    const r = this.schema.safeParse({ ...current, ...patch });
    if (!r.success) throw new SettingsError(describeIssues(r.error));
    this.write(r.data);
    return r.data;
  }

  /** Turns a CLI string into the type a key expects ("4" → 4, "true" → true). */
  coerce(key: string, raw: string): unknown {
    const shape = this.schema.shape as Record<string, z.ZodTypeAny>;
    if (!(key in shape)) throw new SettingsError(`unknown setting: ${key} (known: ${Object.keys(shape).join(', ')})`);
    const sample = (this.defaults() as Record<string, unknown>)[key];
    if (Array.isArray(sample))
      return raw
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean);
    if (typeof sample === 'number') return raw.trim() === '' ? NaN : Number(raw);
    if (typeof sample === 'object' && sample !== null) {
      try {
        return JSON.parse(raw) as unknown;
      } catch (e) {
        throw new SettingsError(`${key} must be JSON, such as '{"log-opts": {"max-size": "10m", "max-file": "3"}}' (${(e as Error).message})`);
      }
    }
    if (typeof sample === 'boolean') {
      if (raw === 'true' || raw === 'false') return raw === 'true';
      throw new SettingsError(`${key} must be true or false`);
    }
    return raw;
  }

  private write(s: Settings): void {
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    const tmp = `${this.path}.tmp-${process.pid}`;
    writeFileSync(tmp, `${JSON.stringify(s, null, 2)}\n`, { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, this.path);
  }
}
