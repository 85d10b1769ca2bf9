/** A container's name as people know it: Docker's first name without its leading slash, else the short id. */
export function containerName(c: { Names?: string[]; Id: string }): string {
  return (c.Names?.[0] ?? c.Id.slice(0, 12)).replace(/^\//, '');
}
