import { statSync } from 'node:fs';
import { posix } from 'node:path';
import { shellQuote } from '../common/shell-quote';

/**
 * Paths that name the VM's own files, never the host's: the engine's socket and
 * data, and the kernel's trees. Binding them is how tools like cAdvisor or a
 * Docker-in-Docker client are meant to work.
 */
const GUEST_PATHS = ['/var/run/docker.sock', '/run/docker.sock', '/var/lib/docker', '/proc', '/sys', '/dev', '/lib/modules', '/run'];

const inside = (p: string, dir: string) => p === dir || dir === '/' || p.startsWith(`${dir}/`);

/** The bind-mount sources of a `POST /containers/create` body: HostConfig.Binds and HostConfig.Mounts of type bind. */
export function bindSources(body: unknown): string[] {
  const hc = (body as { HostConfig?: { Binds?: unknown; Mounts?: unknown } } | null)?.HostConfig;
  const out: string[] = [];
  if (Array.isArray(hc?.Binds)) {
    for (const b of hc.Binds) {
      // "source:target[:options]"; a source without a leading slash is a named volume.
      if (typeof b === 'string' && b.startsWith('/')) out.push(b.split(':')[0]);
    }
  }
  if (Array.isArray(hc?.Mounts)) {
    for (const m of hc.Mounts as { Type?: unknown; Source?: unknown }[]) {
      if (m?.Type === 'bind' && typeof m.Source === 'string') out.push(m.Source);
    }
  }
  return out;
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
    private readonly onHost: (p: string) => 'dir' | 'file' | undefined = hostKind,
  ) {}

  /** The reason to refuse a create request with these bind sources, or undefined to let it through. */
  deny(sources: readonly string[]): string | undefined {
    for (const raw of sources) {
      const p = posix.normalize(raw);
      if (this.shared.some((s) => inside(p, s))) continue;
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

function hostKind(p: string): 'dir' | 'file' | undefined {
  try {
    return statSync(p).isDirectory() ? 'dir' : 'file';
  } catch {
    return undefined;
  }
}
