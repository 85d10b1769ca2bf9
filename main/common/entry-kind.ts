import { lstatSync } from 'node:fs';

/** What is at `path`, without following a link: a folder, anything else, or nothing. */
export function entryKind(path: string): 'dir' | 'other' | undefined {
  try {
    return lstatSync(path).isDirectory() ? 'dir' : 'other';
  } catch {
    return undefined;
  }
}
