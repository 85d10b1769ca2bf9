import { type RefObject, useEffect, useState } from 'react';

/** Where keys belong to what has focus: a text field, a terminal, an editable element. */
const typingIn = (t: EventTarget | null) => t instanceof HTMLElement && (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName));

/**
 * The keyboard path through a list page: `/` focuses its filter, the arrows
 * move a cursor over its rows, Enter opens the row under it, and Esc closes
 * what is open (or leaves the filter). Keys typed into a field or a terminal
 * are theirs. Returns the key of the row under the cursor.
 */
export function useListKeys<T>(rows: T[], keyOf: (row: T) => string, filter: RefObject<HTMLInputElement | null>, open: (row: T) => void, close: () => void): string | undefined {
  const [cursor, setCursor] = useState<string>();
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      if (e.key === 'Escape') {
        if (e.target === filter.current) filter.current?.blur();
        else if (!typingIn(e.target)) close();
        return;
      }
      if (typingIn(e.target)) return;
      const at = rows.findIndex((r) => keyOf(r) === cursor);
      const move = (to: number) => {
        e.preventDefault();
        const row = rows[Math.max(0, Math.min(rows.length - 1, to))];
        if (row) setCursor(keyOf(row));
      };
      if (e.key === '/') {
        e.preventDefault();
        filter.current?.focus();
      } else if (e.key === 'ArrowDown') move(at + 1);
      else if (e.key === 'ArrowUp') move(at < 0 ? 0 : at - 1);
      else if (e.key === 'Enter' && at >= 0) {
        e.preventDefault();
        open(rows[at]!);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [rows, keyOf, filter, open, close, cursor]);
  return cursor;
}
