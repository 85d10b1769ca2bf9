import { CodedError } from '../common/coded-error';

/**
 * The engine's own words for a failure, as `docker` would print them.
 * dockerode wraps an error reply as "(HTTP code 400) unexpected - <message>"
 * and keeps the engine's JSON body in `json`; a progress stream's error is a
 * plain string. Either becomes a CodedError('engine', <the engine's message>),
 * so "Mounts denied: …" reaches the page as the socket's guard worded it.
 */
/** What dockerode puts before the engine's message: "(HTTP code 404) unexpected - ". */
const DOCKERODE_PREFIX = /^\(HTTP code \d+\) .*? - /;

export function engineError(e: unknown): CodedError {
  if (e instanceof CodedError) return e;
  if (typeof e === 'string') return new CodedError('engine', e.trim());
  const err = e as { json?: unknown; message?: string } | undefined;
  const body = err?.json;
  const fromBody = typeof body === 'string' ? body : (body as { message?: unknown } | undefined)?.message;
  // A streamed reply (a pull) has no body kept: the engine's words are only in dockerode's message, after its prefix.
  const message = typeof fromBody === 'string' && fromBody.trim() ? fromBody : (err?.message ?? String(e)).replace(DOCKERODE_PREFIX, '');
  return new CodedError('engine', message.trim());
}
