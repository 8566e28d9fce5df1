// What is worth retrying, and how long to wait before the next try.

import { errors } from './undici.js';
import { ZephyrError } from '../ui/errors.js';

/** A status the server may answer differently next time (5xx, 429). */
export class RetryableStatusError extends Error {
  constructor(readonly status: number) {
    super(`HTTP ${status}`);
    this.name = 'RetryableStatusError';
  }
}

export function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 429 || status === 408;
}

const NETWORK_CODES = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENETUNREACH',
  'ENETDOWN', 'EHOSTUNREACH', 'EHOSTDOWN', 'ENOTCONN', 'ERR_STREAM_PREMATURE_CLOSE',
]);

function codeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  const code: unknown = error.code;
  return typeof code === 'string' ? code : undefined;
}

/** Connection errors, timeouts, bodies cut short, 5xx. */
export function isRetryable(error: unknown): boolean {
  if (error instanceof ZephyrError) return false;
  if (error instanceof RetryableStatusError) return true;
  if (error instanceof errors.UndiciError) return true;
  const code = codeOf(error);
  if (code !== undefined && (NETWORK_CODES.has(code) || code.startsWith('UND_ERR'))) return true;
  const cause = error instanceof Error ? error.cause : undefined;
  return cause !== undefined && cause !== error && isRetryable(cause);
}

const LOCAL_CODES = new Set(['ENOSPC', 'EACCES', 'EPERM', 'EROFS', 'EMFILE', 'ENFILE', 'EEXIST', 'EISDIR', 'ENOENT', 'EDQUOT', 'EBUSY']);

/** Network failures not worth retrying (a host that does not resolve, TLS errors): still network errors. */
export function isNetworkError(error: unknown): boolean {
  if (error instanceof ZephyrError) return false;
  if (isRetryable(error) || error instanceof RetryableStatusError) return true;
  const code = codeOf(error);
  return code !== undefined && !LOCAL_CODES.has(code);
}

/** Exponential backoff with full-ish jitter: base·2^attempt·[0.5, 1.5). */
export function backoffDelay(attempt: number, baseMs: number): number {
  return Math.round(baseMs * 2 ** attempt * (0.5 + Math.random()));
}

export function describeError(error: unknown): string {
  if (error instanceof RetryableStatusError) return error.message;
  const code = codeOf(error);
  const message = error instanceof Error ? error.message : String(error);
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return code !== undefined && !message.includes(code) ? `${message} (${code})${cause}` : `${message}${cause}`;
}
