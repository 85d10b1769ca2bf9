import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CodedError } from '../common/coded-error';
import { DEFAULT_CONTEXT, readContextStore } from './context-store';

/**
 * `docker context use <name>`, done as the CLI does it: config.json's
 * `currentContext` set (removed for `default`), every other key kept, written
 * atomically with the file's own mode. Only on the user's explicit choice:
 * Berth never switches the context by itself. A config.json that cannot be
 * read is left alone and said, never overwritten.
 */
export function useContext(configDir: string, name: string): void {
  if (name !== DEFAULT_CONTEXT && !readContextStore(configDir).contexts.some((c) => c.name === name)) {
    throw new CodedError('not_found', `there is no Docker context named "${name}"`);
  }
  const file = join(configDir, 'config.json');
  let config: Record<string, unknown> = {};
  let mode = 0o600;
  if (existsSync(file)) {
    mode = statSync(file).mode & 0o777;
    try {
      const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('it is not a JSON object');
      config = parsed as Record<string, unknown>;
    } catch (e) {
      throw new CodedError('unreadable', `${file} could not be read (${(e as Error).message}), so the current context was not changed`);
    }
  }
  if (name === DEFAULT_CONTEXT) delete config.currentContext;
  else config.currentContext = name;
  mkdirSync(configDir, { recursive: true, mode: 0o700 });
  const tmp = `${file}.berth-${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(config, null, '\t')}\n`, { mode });
  renameSync(tmp, file);
}
