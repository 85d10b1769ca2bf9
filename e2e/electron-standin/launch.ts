/**
 * ELECTRON STAND-IN (test-only): starts Berth's built main under Node with
 * the stand-in in place of Electron, and talks to it over the control
 * channel. Used by the e2e tests that exercise main/app without an Electron binary.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { ControlReply, ControlRequest } from './control';
import type { StandinSnapshot } from './record';

const ROOT = join(__dirname, '..', '..');
/** The app's built Electron entry, as package.json's "main" names it. */
export const APP_MAIN = join(ROOT, 'dist', 'main', 'app', 'index.js');

type Op = ControlRequest extends infer R ? (R extends { op: infer O } ? O : never) : never;
type Body<O extends Op> = Omit<Extract<ControlRequest, { op: O }>, 'id' | 'op'>;

/** A running app under the stand-in. */
export class StandinApp {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  /** Resolves with the exit code when the process ends. */
  readonly exited: Promise<number | null>;
  output = '';

  private constructor(readonly child: ChildProcess) {
    child.on('message', (m: ControlReply) => {
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (m.ok) p?.resolve(m.value);
      else p?.reject(new Error(m.error));
    });
    for (const s of [child.stdout, child.stderr]) s?.on('data', (d) => (this.output = (this.output + String(d)).slice(-20_000)));
    this.exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
    void this.exited.then(() => {
      for (const p of this.pending.values()) p.reject(new Error('the app exited'));
      this.pending.clear();
    });
  }

  /**
   * Launches `main` (the built app entry) with these arguments and this
   * environment. `probes` are test modules loaded after the stand-in (see exposeProbe).
   * `resources` makes it a packaged launch: app.isPackaged is true and
   * process.resourcesPath is that folder (see packaged-resources.ts).
   */
  static launch(o: { env: NodeJS.ProcessEnv; args?: string[]; main?: string; probes?: string[]; resources?: string }): StandinApp {
    const preload = [require.resolve('tsx/cjs'), join(__dirname, 'register.ts'), ...(o.probes ?? [])].flatMap((m) => ['--require', m]);
    const child = spawn(process.execPath, [...preload, o.main ?? APP_MAIN, ...(o.args ?? [])], {
      env: o.resources ? { ...o.env, ELECTRON_STANDIN_RESOURCES: o.resources } : o.env,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    return new StandinApp(child);
  }

  request<O extends Op>(op: O, body: Body<O>): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.send({ id, op, ...body } as ControlRequest);
    });
  }

  snapshot(): Promise<StandinSnapshot> {
    return this.request('snapshot', {}) as Promise<StandinSnapshot>;
  }

  /** Clicks the tray menu item with this id, as a user would. */
  click(item: string): Promise<unknown> {
    return this.request('click', { item });
  }

  /** Evaluates a JavaScript expression in a window's page. */
  evaluate<T>(window: number, expression: string): Promise<T> {
    return this.request('evaluate', { window, expression }) as Promise<T>;
  }

  /** Polls the record until `test` holds (bounded); returns the last snapshot either way. */
  async until(test: (s: StandinSnapshot) => boolean, timeoutMs: number, stepMs = 100): Promise<StandinSnapshot> {
    const end = Date.now() + timeoutMs;
    let s = await this.snapshot();
    while (!test(s) && Date.now() < end) {
      await new Promise((r) => setTimeout(r, stepMs));
      s = await this.snapshot();
    }
    return s;
  }

  /** Kills the process this launcher started, by its pid. */
  kill(): void {
    if (this.child.exitCode === null && this.child.pid) process.kill(this.child.pid, 'SIGKILL');
  }
}
