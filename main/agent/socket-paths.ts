/**
 * A unix socket's path must fit `sun_path`: 104 bytes on macOS, 108 on Linux
 * (HostFacts.socketPathMax), ending NUL included. Past it, listen and connect
 * fail with a bare EINVAL, and on a Mac `$TMPDIR` (/var/folders/…) is long.
 * So the agent checks every socket it will make before it makes any.
 */
export function socketPathProblem(paths: readonly string[], max: number, platform: string): string | undefined {
  const longest = [...paths].sort((a, b) => Buffer.byteLength(b) - Buffer.byteLength(a))[0];
  if (!longest) return undefined;
  const bytes = Buffer.byteLength(longest);
  // The terminating NUL takes one of the bytes.
  if (bytes < max) return undefined;
  return (
    `the socket path ${longest} is ${bytes} bytes, but ${platform === 'darwin' ? 'macOS' : platform} takes at most ${max - 1}; ` +
    `set BERTH_HOME to a shorter folder (for example ~/.berth) and start again`
  );
}
