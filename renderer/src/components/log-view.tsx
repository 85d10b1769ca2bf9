import { useEffect, useMemo, useRef, useState } from 'react';
import { AnsiLine, plain } from './ansi-text';

/** The lines a drawer keeps; older ones scroll away, and the view says so. */
export const MAX_LINES = 5000;

/**
 * A container's log lines with search: every match highlighted, the current
 * one scrolled into view, next and previous by button or Enter / Shift+Enter,
 * and the buffer saved to a file.
 */
export function LogView({ lines, dropped, name, placeholder }: { lines: string[]; dropped: boolean; name: string; placeholder: string }) {
  const [query, setQuery] = useState('');
  const [current, setCurrent] = useState(0);
  const q = query.toLowerCase();
  // Plain text only while searching: every log batch changes `lines`, and most of the time nobody searches.
  const texts = useMemo(() => (q ? lines.map(plain) : []), [lines, q]);
  const matches = useMemo(() => (q ? texts.flatMap((t, i) => (t.toLowerCase().includes(q) ? [i] : [])) : []), [texts, q]);
  const matchSet = useMemo(() => new Set(matches), [matches]);
  const at = matches.length ? Math.min(current, matches.length - 1) : -1;
  const currentLine = useRef<HTMLElement>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: scroll when the current match moves, not on every new line
  useEffect(() => {
    currentLine.current?.scrollIntoView?.({ block: 'nearest' });
  }, [at, q]);
  const step = (by: number) => matches.length && setCurrent((at + by + matches.length) % matches.length);
  const rendered = lines.map((l, i) =>
    matchSet.has(i) ? (
      // biome-ignore lint/suspicious/noArrayIndexKey: log lines have no identity but their place; they are only ever appended
      <Match key={i} text={texts[i]!} query={q} current={matches[at] === i} lineRef={currentLine} />
    ) : (
      // biome-ignore lint/suspicious/noArrayIndexKey: as above
      <AnsiLine key={i} text={l} />
    ),
  );
  return (
    <>
      <div className="toolbar">
        <input
          type="search"
          placeholder="Search logs"
          aria-label="Search logs"
          value={query}
          onChange={(e) => {
            setQuery(e.target.value);
            setCurrent(0);
          }}
          onKeyDown={(e) => e.key === 'Enter' && step(e.shiftKey ? -1 : 1)}
        />
        <span className="muted" data-testid="log-matches">
          {q ? (matches.length ? `${at + 1} of ${matches.length}` : 'no match') : ''}
        </span>
        <button type="button" onClick={() => step(-1)} disabled={!matches.length} aria-label="Previous match">
          ↑
        </button>
        <button type="button" onClick={() => step(1)} disabled={!matches.length} aria-label="Next match">
          ↓
        </button>
        <span className="spacer" />
        <button type="button" onClick={() => saveText(`${name}.log`, lines.map(plain).join('\n'))} disabled={!lines.length}>
          Save
        </button>
      </div>
      {dropped && <p className="muted">Showing the last {MAX_LINES.toLocaleString('en')} lines; older ones are not kept here (`docker logs` has them all).</p>}
      <pre className="logs" data-testid="logs" aria-live="off">
        {lines.length === 0 ? <span className="muted">{placeholder}</span> : rendered}
      </pre>
    </>
  );
}

/** A matching line: its plain text with the matches marked; the current one holds the ref that scrolls it into view. */
function Match({ text, query, current, lineRef }: { text: string; query: string; current: boolean; lineRef: React.RefObject<HTMLElement | null> }) {
  return (
    <span ref={current ? lineRef : undefined} className={current ? 'match current' : 'match'}>
      <Highlighted text={text} query={query} />
      {'\n'}
    </span>
  );
}

/** A line's plain text with each case-insensitive occurrence of `query` in a <mark>. */
function Highlighted({ text, query }: { text: string; query: string }) {
  const parts: React.ReactNode[] = [];
  const lower = text.toLowerCase();
  let from = 0;
  for (let i = lower.indexOf(query); i >= 0; i = lower.indexOf(query, i + query.length)) {
    parts.push(text.slice(from, i), <mark key={i}>{text.slice(i, i + query.length)}</mark>);
    from = i + query.length;
  }
  parts.push(text.slice(from));
  return <>{parts}</>;
}

/** Saves text as a download: the browser's save, or Electron's save dialog. */
function saveText(filename: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
