/**
 * ELECTRON STAND-IN (test-only): the control channel, Node's IPC channel to
 * the test that spawned this process. The test reads the record, clicks tray
 * items, closes windows as a user would, and evaluates in a window's page.
 */
import { windowById } from './browser-window';
import { snapshot } from './record';
import { currentTray } from './tray';

/** A request from the test. */
export type ControlRequest =
  | { id: number; op: 'snapshot' }
  | { id: number; op: 'click'; item: string }
  | { id: number; op: 'close-window'; window: number }
  | { id: number; op: 'evaluate'; window: number; expression: string };

/** The answer: a value or an error message. */
export type ControlReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string };

async function carryOut(req: ControlRequest): Promise<unknown> {
  switch (req.op) {
    case 'snapshot':
      return snapshot();
    case 'click': {
      const tray = currentTray();
      if (!tray) throw new Error('the app made no tray');
      tray.click(req.item);
      return true;
    }
    case 'close-window': {
      const win = windowById(req.window);
      if (!win) throw new Error(`no window ${req.window}`);
      return win.close();
    }
    case 'evaluate': {
      const win = windowById(req.window);
      if (!win || win.isDestroyed()) throw new Error(`no open window ${req.window}`);
      await win.webContents.loading;
      const page = await win.webContents.page;
      return page.evaluate(req.expression);
    }
  }
}

/** Answers the test's requests; the channel does not keep the process alive (the app does). */
export function serveControlChannel(): void {
  if (!process.send) throw new Error('the Electron stand-in must be spawned with an IPC channel (see launch.ts)');
  process.channel?.unref();
  // The test that launched this app is gone (it crashed or was killed): an orphan must not linger.
  process.on('disconnect', () => process.exit(70));
  process.on('message', (req: ControlRequest) => {
    void carryOut(req).then(
      (value) => process.send!({ id: req.id, ok: true, value } satisfies ControlReply),
      (e: Error) => process.send!({ id: req.id, ok: false, error: e.message } satisfies ControlReply),
    );
  });
}
