import { type FSWatcher, readdirSync, watch } from 'node:fs';
import { entryKind } from '../common/entry-kind';
import { join } from 'node:path';

/** The watches all trees share: on Linux each folder costs one inotify watch, and the user's limit is finite. */
export interface WatchBudget {
  readonly max: number;
  used: number;
}

/** A folder (or a file) and everything under it, watched; each change is reported by its full path. */
export interface TreeWatch {
  /** Watches held (folders on Linux; one stream on macOS). */
  readonly watches: number;
  /** True when the budget ran out: changes deeper than the watched folders are not seen. */
  readonly capped: boolean;
  close(): void;
}

/**
 * Watches `root` recursively. macOS: one `fs.watch` recursive (an FSEvents
 * stream, whatever the tree's size). Linux: one non-recursive `fs.watch` per
 * folder (Node's recursive mode there holds an inotify watch per file, 20×
 * more), folders made later are added as they appear, and the shared budget
 * caps the total. A folder that goes away drops its watch.
 */
export function watchTree(root: string, onChange: (path: string) => void, budget: WatchBudget, platform: NodeJS.Platform = process.platform): TreeWatch {
  if (platform === 'darwin' || platform === 'win32') return recursiveWatch(root, onChange, budget);
  return new FolderWatches(root, onChange, budget);
}

function recursiveWatch(root: string, onChange: (path: string) => void, budget: WatchBudget): TreeWatch {
  const w = watch(root, { recursive: true }, (_e, name) => onChange(name ? join(root, name.toString()) : root));
  w.on('error', () => undefined);
  budget.used += 1;
  let open = true;
  return {
    watches: 1,
    capped: false,
    close: () => {
      if (open) budget.used -= 1;
      open = false;
      w.close();
    },
  };
}

class FolderWatches implements TreeWatch {
  private readonly held = new Map<string, FSWatcher>();
  capped = false;
  private readonly rootIsFile: boolean;

  constructor(
    private readonly root: string,
    private readonly onChange: (path: string) => void,
    private readonly budget: WatchBudget,
  ) {
    this.rootIsFile = entryKind(root) === 'other';
    this.add(root);
  }

  get watches(): number {
    return this.held.size;
  }

  close(): void {
    for (const w of this.held.values()) w.close();
    this.budget.used -= this.held.size;
    this.held.clear();
  }

  /** Watches `dir` and the folders under it, breadth first, until the budget runs out. */
  private add(dir: string): void {
    const queue = [dir];
    while (queue.length) {
      const d = queue.shift()!;
      if (this.held.has(d)) continue;
      if (this.budget.used >= this.budget.max) {
        this.capped = true;
        return;
      }
      if (!this.watchOne(d)) continue;
      for (const sub of subfolders(d)) queue.push(sub);
    }
  }

  private watchOne(dir: string): boolean {
    let w: FSWatcher;
    try {
      w = watch(dir, { persistent: false }, (e, name) => this.event(dir, name?.toString(), e === 'rename'));
    } catch {
      return false; // gone already, unreadable, or out of inotify watches
    }
    w.on('error', () => this.drop(dir));
    this.held.set(dir, w);
    this.budget.used += 1;
    return true;
  }

  /** `renamed`: a name came or went (create, delete, move); otherwise contents or attributes changed. */
  private event(dir: string, name: string | undefined, renamed: boolean): void {
    // A watched file reports itself by its own name. An event on a folder itself names the folder (libuv
    // gives its basename), read here as a child of that name; the parent's watch reports the folder too.
    const path = name && !(dir === this.root && this.rootIsFile) ? join(dir, name) : dir;
    this.onChange(path);
    // Only a name that came or went can be a folder to watch or to drop: a container writing a
    // tree makes several content and attribute events a file, which need no lstat.
    if (!renamed) return;
    const kind = entryKind(path);
    if (kind === 'dir' && !this.held.has(path)) this.add(path);
    if (kind === undefined && this.held.has(path)) this.drop(path);
  }

  private drop(dir: string): void {
    const w = this.held.get(dir);
    if (!w) return;
    w.close();
    this.held.delete(dir);
    this.budget.used -= 1;
  }
}

function subfolders(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => join(dir, e.name));
  } catch {
    return [];
  }
}
