import { realpathSync, statSync } from 'node:fs';
import { posix } from 'node:path';
import { isInside as inside } from '../common/path-inside';
import { shellQuote } from '../common/shell-quote';

/**
 * Paths that name the VM's own files, never the host's: the engine's socket and
 * data, and the kernel's trees. Binding them is how tools like cAdvisor or a
 * Docker-in-Docker client are meant to work.
 */
const GUEST_PATHS = ['/var/run/docker.sock', '/run/docker.sock', '/var/lib/docker', '/proc', '/sys', '/dev', '/lib/modules', '/run'];

/** A member of a JSON object as Go's decoder finds it: the exact key, else any key equal but for case. */
function member(o: unknown, key: string): unknown {
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return undefined;
  const rec = o as Record<string, unknown>;
  if (key in rec) return rec[key];
  const k = Object.keys(rec).find((x) => x.toLowerCase() === key.toLowerCase());
  return k === undefined ? undefined : rec[k];
}

/** The bind-mount sources of a `POST /containers/create` body: HostConfig.Binds and HostConfig.Mounts of type bind, keys matched as the engine matches them. */
export function bindSources(body: unknown): string[] {
  const hc = member(body, 'HostConfig');
  const out: string[] = [];
  const binds = member(hc, 'Binds');
  if (Array.isArray(binds)) {
    for (const b of binds) {
      // "source:target[:options]"; a source without a leading slash is a named volume.
      if (typeof b === 'string' && b.startsWith('/')) out.push(b.split(':')[0]!);
    }
  }
  const mounts = member(hc, 'Mounts');
  if (Array.isArray(mounts)) {
    for (const m of mounts) {
      const source = member(m, 'Source');
      if (member(m, 'Type') === 'bind' && typeof source === 'string') out.push(source);
    }
  }
  return out;
}

/** How the policy sees the host (replaceable in tests), and which folders are not in the VM yet. */
export interface MountPolicyHost {
  onHost?: (p: string) => 'dir' | 'file' | undefined;
  realPath?: (p: string) => string | undefined;
  /** Why a path's contents are not in the VM yet (a synchronized folder's first copy), or undefined. */
  notReady?: (p: string) => string | undefined;
}

/**
 * Decides whether a container's bind mounts can see what the person meant.
 * A source under a shared folder is the host's file; a source that does not
 * exist on the host, or is one of the VM's own trees, is a path in the VM.
 * A source that exists on the host but is not shared would silently become an
 * empty folder in the VM: that is refused, naming the path and the fix.
 */
export class MountPolicy {
  constructor(
    /** Where the shared folders appear in the VM (the same paths as on the host). */
    private readonly shared: readonly string[],
    /** The sharedPaths setting, so the fix it prints keeps what is there. */
    private readonly configured: readonly string[],
    private readonly host: MountPolicyHost = {},
  ) {
    this.realPath = host.realPath ?? hostRealPath;
    this.onHost = host.onHost ?? hostKind;
  }

  private readonly realPath: (p: string) => string | undefined;
  private readonly onHost: (p: string) => 'dir' | 'file' | undefined;

  /** The reason to refuse a create request with these bind sources, or undefined to let it through. */
  deny(sources: readonly string[]): string | undefined {
    for (const raw of sources) {
      const p = posix.normalize(raw);
      const waiting = this.host.notReady?.(p);
      if (waiting) return `Mounts denied: ${waiting}`;
      // A link inside a share that leads out of it: the VM sees the link, not the host folder it names.
      // Shares are compared by their own real paths too: a home that is itself a link is fine.
      const real = this.realPath(p);
      const underShare = this.shared.some((s) => inside(p, s));
      if (underShare && (real === undefined || this.shared.some((s) => inside(real, s) || inside(real, this.realPath(s) ?? s)))) continue;
      if (underShare && real !== undefined) {
        return `Mounts denied: the path ${p} is a link to ${real}, which is not shared from the host, so the container would not see it. Bind-mount a shared path, or share ${real}: berth config set sharedPaths ${shellQuote([...this.configured, real].join(','))} && berth restart`;
      }
      if (GUEST_PATHS.some((g) => inside(p, g))) continue;
      const kind = this.onHost(p);
      if (!kind) continue;
      const wanted = [...this.configured, kind === 'dir' ? p : posix.dirname(p)];
      return (
        `Mounts denied: the path ${p} is not shared from the host, so the container would see an empty folder. ` +
        `Shared now: ${this.shared.join(', ')}. To share it: berth config set sharedPaths ${shellQuote(wanted.join(','))} && berth restart`
      );
    }
    return undefined;
  }
}

function hostRealPath(p: string): string | undefined {
  try {
    return realpathSync(p);
  } catch {
    return undefined;
  }
}

function hostKind(p: string): 'dir' | 'file' | undefined {
  try {
    return statSync(p).isDirectory() ? 'dir' : 'file';
  } catch {
    return undefined;
  }
}
