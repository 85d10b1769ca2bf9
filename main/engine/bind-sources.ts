/** What the engine's container list says of one container's mounts (dockerode's ContainerInfo, the part read here). */
export interface ListedContainer {
  Mounts?: ReadonlyArray<{ Type?: string; Source?: string }>;
}

/**
 * The bind mounts' sources of the listed containers, each once, as the engine (the guest) names
 * them. (mount-policy.ts `bindSources` reads them from a create request's body instead.)
 */
export function listedBindSources(containers: readonly ListedContainer[]): string[] {
  const all = containers.flatMap((c) => (c.Mounts ?? []).filter((m) => m.Type === 'bind' && m.Source).map((m) => m.Source!));
  return [...new Set(all)];
}
