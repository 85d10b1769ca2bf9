import { describe, expect, test } from 'vitest';
import type { EntryState } from '../link/sync-protocol';
import { conflictName, decide, isMassDelete } from './plan';

const file = (sha1: string, mode = 0o644, mtime = 1): EntryState => ({ type: 'file', mode, size: 1, mtime, sha1 });
const dir: EntryState = { type: 'dir', mode: 0o755 };

describe('the three-way rule', () => {
  test('one side changed: the other gets it, deletes included', () => {
    expect(decide(file('a'), file('b'), file('a'), false)).toEqual({ kind: 'toGuest', state: file('b') });
    expect(decide(file('a'), file('a'), file('c'), false)).toEqual({ kind: 'toHost', state: file('c') });
    expect(decide(file('a'), undefined, file('a'), false)).toEqual({ kind: 'toGuest', state: undefined });
    expect(decide(file('a'), file('a'), undefined, false)).toEqual({ kind: 'toHost', state: undefined });
    expect(decide(undefined, undefined, file('n'), false)).toEqual({ kind: 'toHost', state: file('n') });
  });

  test('both sides the same is agreement, whatever the journal said', () => {
    expect(decide(file('a'), file('b'), file('b'), false)).toEqual({ kind: 'agree', state: file('b') });
    expect(decide(file('a'), undefined, undefined, false)).toEqual({ kind: 'agree', state: undefined });
  });

  test('an edit beats a delete on the other side, and two edits keep both', () => {
    expect(decide(file('a'), undefined, file('c'), false)).toEqual({ kind: 'toHost', state: file('c') });
    expect(decide(file('a'), file('b'), undefined, false)).toEqual({ kind: 'toGuest', state: file('b') });
    expect(decide(file('a'), file('b'), file('c'), false)).toEqual({ kind: 'conflict', host: file('b'), guest: file('c') });
    expect(decide(undefined, file('b'), file('c'), false).kind).toBe('conflict');
  });

  test('a metadata change on one side loses to a content change on the other; two folders take the host’s mode', () => {
    expect(decide(file('a'), file('b'), file('a', 0o700), false)).toEqual({ kind: 'toGuest', state: file('b') });
    expect(decide(file('a'), file('a', 0o700), file('c'), false)).toEqual({ kind: 'toHost', state: file('c') });
    expect(decide(dir, { type: 'dir', mode: 0o700 }, { type: 'dir', mode: 0o750 }, false).kind).toBe('toGuest');
  });

  test('during the first copy, a difference the journal does not know is the host’s', () => {
    expect(decide(undefined, file('b'), file('partial'), true)).toEqual({ kind: 'toGuest', state: file('b') });
  });

  test('a conflict copy is named so a person finds it, beside the file', () => {
    expect(conflictName('src/notes.txt', new Date('2026-12-06T10:15:02Z'))).toBe('src/notes (VM conflict 2026-12-06 101502).txt');
    expect(conflictName('Makefile', new Date('2026-12-06T10:15:02Z'))).toBe('Makefile (VM conflict 2026-12-06 101502)');
  });

  test('a mass delete is many entries and most of the folder', () => {
    expect(isMassDelete(999, 1000)).toBe(false);
    expect(isMassDelete(1000, 1500)).toBe(true);
    expect(isMassDelete(1000, 5000)).toBe(false);
  });
});
