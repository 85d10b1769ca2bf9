/** Quotes one word for a POSIX shell, so a printed command means exactly what it shows. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The line to paste into a shell to point docker at a socket URL. */
export function exportDockerHost(dockerHost: string): string {
  return `export DOCKER_HOST=${shellQuote(dockerHost)}`;
}
