import { FitAddon } from '@xterm/addon-fit';
import { Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import { useEffect, useRef, useState } from 'react';
import type { BerthApi } from '../../../main/contract/berth-api';
import { holdLease } from '../api/lease';
import { useApi } from './context';

/** What the panel shows besides the terminal itself. */
type PanelState = { phase: 'opening' | 'open' | 'ended' } | { phase: 'failed'; message: string };

/**
 * A shell in a running container (bash if it has one, else sh), in xterm.js:
 * colours, copy and paste, and a size that follows the panel. The shell ends
 * when the panel closes (main hangs up everything it started) or the
 * container stops.
 */
export function TerminalPanel({ containerId, terminalId, title, onClose }: { containerId: string; terminalId: string; title: string; onClose: () => void }) {
  const { api } = useApi();
  const box = useRef<HTMLDivElement>(null);
  const [state, setState] = useState<PanelState>({ phase: 'opening' });
  useEffect(() => openIn(box.current!, api, containerId, terminalId, setState), [api, containerId, terminalId]);
  return (
    <section className="terminal-panel" aria-label={title} data-testid={`terminal-${terminalId}`}>
      <div className="toolbar">
        <h3>{title}</h3>
        <span className="muted" data-testid="terminal-state">
          {state.phase === 'failed' ? state.message : state.phase === 'ended' ? 'The shell ended.' : state.phase === 'opening' ? 'Opening…' : ''}
        </span>
        <span className="spacer" />
        <button type="button" onClick={onClose} aria-label={`Close ${title}`}>
          Close
        </button>
      </div>
      <div className="terminal-box" ref={box} />
    </section>
  );
}

/** Opens the terminal in `el` and wires it to main; returns what undoes it all. */
function openIn(el: HTMLDivElement, api: BerthApi, containerId: string, id: string, setState: (s: PanelState) => void): () => void {
  const term = new Terminal({ cursorBlink: true, fontFamily: 'ui-monospace, Menlo, Consolas, monospace', fontSize: 13, scrollback: 5000 });
  const fit = new FitAddon();
  term.loadAddon(fit);
  term.open(el);
  fit.fit();
  const off = api.on('terminal.output', (o) => {
    if (o.terminal !== id) return;
    if (o.ended) setState({ phase: 'ended' });
    else term.write(o.data);
  });
  let letGo: (() => void) | undefined;
  let closed = false;
  void api['terminal.open'](containerId, id, term.cols, term.rows).then((r) => {
    if (!r.ok) return setState({ phase: 'failed', message: r.error.message });
    setState({ phase: 'open' });
    if (closed) return void api['terminal.close'](id);
    letGo = holdLease(
      () => api['terminal.open'](containerId, id, term.cols, term.rows),
      () => void api['terminal.close'](id),
    );
    term.focus();
  });
  const typed = term.onData((d) => void api['terminal.input'](id, d));
  const resized = term.onResize(({ cols, rows }) => void api['terminal.resize'](id, cols, rows));
  const watch = new ResizeObserver(() => fit.fit());
  watch.observe(el);
  return () => {
    closed = true;
    watch.disconnect();
    typed.dispose();
    resized.dispose();
    off();
    letGo?.();
    term.dispose();
  };
}
