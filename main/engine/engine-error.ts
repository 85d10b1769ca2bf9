import { CodedError } from '../common/coded-error';

/**
 * The engine's own words for a failure, as `docker` would print them.
 * dockerode wraps an error reply as "(HTTP code 400) unexpected - <message>"
 * and keeps the engine's JSON body in `json`; a progress stream's error is a
 * plain string. Either becomes a CodedError('engine', <the engine's message>),
 * so "Mounts denied: …" reaches the page as the socket's guard worded it.
 */
export function engineError(e: unknown): CodedError {
  if (e instanceof CodedError) return e;
  if (typeof e === 'string') return new CodedError('engine', e.trim());
  const err = e as { json?: unknown; message?: string } | undefined;
  const body = err?.json;
  const fromBody = typeof body === 'string' ? body : (body as { message?: unknown } | undefined)?.message;
  const message = typeof fromBody === 'string' && fromBody.trim() ? fromBody : (err?.message ?? String(e));
  return new CodedError('engine', message.trim());
}
