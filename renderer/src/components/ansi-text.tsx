import Anser from 'anser';
import type { CSSProperties } from 'react';

const DECORATION: Partial<Record<string, CSSProperties>> = {
  bold: { fontWeight: 600 },
  dim: { opacity: 0.7 },
  italic: { fontStyle: 'italic' },
  underline: { textDecoration: 'underline' },
  strikethrough: { textDecoration: 'line-through' },
};

/** One line of terminal output with its SGR colours, as React spans (never as HTML, so nothing in a log can inject markup). */
export function AnsiLine({ text }: { text: string }) {
  const parts = Anser.ansiToJson(text, { remove_empty: true });
  return (
    <>
      {parts.map((p, i) => {
        const style: CSSProperties = { ...(p.fg ? { color: `rgb(${p.fg})` } : {}), ...(p.bg ? { background: `rgb(${p.bg})` } : {}) };
        for (const d of p.decorations) Object.assign(style, DECORATION[d]);
        return Object.keys(style).length ? (
          // biome-ignore lint/suspicious/noArrayIndexKey: a line's coloured parts have no identity but their place, and a line never changes
          <span key={i} style={style}>
            {p.content}
          </span>
        ) : (
          p.content
        );
      })}
      {'\n'}
    </>
  );
}

/** The text of a line without its escape codes, for searching. */
export function plain(text: string): string {
  return Anser.ansiToText(text);
}
