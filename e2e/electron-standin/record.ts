/**
 * ELECTRON STAND-IN (test-only, never shipped): what the stand-in saw the app
 * do, kept in the app's process and read by the test over the control channel.
 * Everything here is plain data so it crosses the channel as JSON.
 */

/** A menu item as Menu.buildFromTemplate received it, without its click function. */
export interface RecordedItem {
  id?: string;
  label?: string;
  type: string;
  enabled: boolean;
  checked?: boolean;
  clickable: boolean;
  submenu?: RecordedItem[];
}

/** The tray as the app last set it, and how often it rebuilt the menu. */
export interface TrayRecord {
  image: string;
  tooltip?: string;
  menu: RecordedItem[];
  menuRebuilds: number;
}

/** One BrowserWindow: its options, what happened to it, and what its page asked for. */
export interface WindowRecord {
  id: number;
  webPreferences: Record<string, unknown>;
  /** show, hide, focus, close, closed, load:<url>, in order. */
  events: string[];
  visible: boolean;
  destroyed: boolean;
  url?: string;
  /** The main frame's response headers after the app's onHeadersReceived hook. */
  mainFrameHeaders?: Record<string, string>;
  navigations: { url: string; prevented: boolean }[];
  windowOpens: { url: string; action: string }[];
}

/** A call the app made to a recorded API (shell, clipboard, Notification, …). */
export interface CallRecord {
  api: string;
  args: unknown[];
  at: number;
}

/** Everything the test can read. */
export interface StandinSnapshot {
  tray?: TrayRecord;
  /** Each tray update in order (capped), with the icon and the menu it set. */
  trayHistory: { at: number; image: string; menu: RecordedItem[] }[];
  calls: CallRecord[];
  /** ipcRenderer.invoke calls that reached ipcMain, by channel. */
  ipcInvokes: Record<string, number>;
  windows: WindowRecord[];
  /** Unhandled errors and rejections, members the stand-in lacks, page errors: each one fails the test. */
  failures: string[];
  /** Values from test probes loaded beside the stand-in (see exposeProbe). */
  probes: Record<string, unknown>;
}

const HISTORY_CAP = 500;
const probes = new Map<string, () => unknown>();

export const record: Omit<StandinSnapshot, 'probes'> = { trayHistory: [], calls: [], ipcInvokes: {}, windows: [], failures: [] };

/** Records a failure and prints it, so it shows in the test's output as it happens. */
export function recordFailure(message: string): void {
  record.failures.push(message);
  process.stderr.write(`electron stand-in: FAILURE: ${message}\n`);
}

/** Records a call to a recorded API. */
export function recordCall(api: string, ...args: unknown[]): void {
  record.calls.push({ api, args, at: Date.now() });
}

/** Records a tray update. */
export function recordTray(tray: TrayRecord): void {
  record.tray = tray;
  record.trayHistory.push({ at: Date.now(), image: tray.image, menu: tray.menu });
  if (record.trayHistory.length > HISTORY_CAP) record.trayHistory.shift();
}

/** Lets a test probe (loaded with --require beside the stand-in) publish a value in every snapshot. */
export function exposeProbe(name: string, read: () => unknown): void {
  probes.set(name, read);
}

/** A JSON copy of the record, with the probes' current values. */
export function snapshot(): StandinSnapshot {
  const values: Record<string, unknown> = {};
  for (const [name, read] of probes) values[name] = read();
  return JSON.parse(JSON.stringify({ ...record, probes: values })) as StandinSnapshot;
}

/** The first item, at any depth of a recorded menu, for which `pred` holds. */
export function findRecorded(items: RecordedItem[] | undefined, pred: (i: RecordedItem) => boolean): RecordedItem | undefined {
  for (const i of items ?? []) {
    if (pred(i)) return i;
    const inner = findRecorded(i.submenu, pred);
    if (inner) return inner;
  }
  return undefined;
}
