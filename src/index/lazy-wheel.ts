// A RangeReader over HTTP range requests: the first request asks for the last
// TAIL_SIZE bytes (learning the size from Content-Range), and later reads
// inside any range fetched before come from memory.

import { ZephyrError } from '../ui/errors.js';
import type { HttpClient } from './http.js';
import { redact } from './url.js';
import { TAIL_SIZE, type RangeReader } from './zip.js';

/** The server ignored a Range header: read the file some other way. */
export class RangeUnsupportedError extends Error {
  override name = 'RangeUnsupportedError';
}

interface Partial {
  start: number;
  total: number;
  body: Buffer;
}

function parseContentRange(header: string | undefined): { start: number; end: number; total: number } | null {
  const match = header === undefined ? null : /^bytes\s+(\d+)-(\d+)\/(\d+)$/i.exec(header.trim());
  if (!match) return null;
  return { start: Number(match[1]), end: Number(match[2]), total: Number(match[3]) };
}

async function rangeGet(http: HttpClient, url: URL, range: string): Promise<Partial> {
  return http.fetch(url, { headers: { range, 'accept-encoding': 'identity' }, note: `range ${range}` }, async (response) => {
    if (response.status === 200) throw new RangeUnsupportedError(`${redact(url)} ignored the Range header`);
    if (response.status !== 206) {
      throw new ZephyrError('ZE_HTTP', `${redact(url)} answered HTTP ${response.status} to a range request.`, 'Check the index URL.');
    }
    const contentRange = parseContentRange(response.headers['content-range']);
    if (contentRange === null) throw new RangeUnsupportedError(`${redact(url)} sent 206 without a usable Content-Range`);
    const body = Buffer.from(await response.body.arrayBuffer());
    if (body.length !== contentRange.end - contentRange.start + 1) {
      throw new RangeUnsupportedError(`${redact(url)} sent ${body.length} bytes for ${contentRange.start}-${contentRange.end}`);
    }
    return { start: contentRange.start, total: contentRange.total, body };
  });
}

/** Opens `url` for random access, or throws RangeUnsupportedError. */
export async function openRemoteZip(http: HttpClient, url: URL): Promise<RangeReader> {
  const tail = await rangeGet(http, url, `bytes=-${TAIL_SIZE}`);
  const size = tail.total;
  const fetched: Partial[] = [tail];
  return {
    size,
    async read(offset, length) {
      const end = Math.min(offset + length, size);
      if (end <= offset) return Buffer.alloc(0);
      const held = fetched.find((p) => offset >= p.start && end <= p.start + p.body.length);
      if (held !== undefined) return held.body.subarray(offset - held.start, end - held.start);
      const part = await rangeGet(http, url, `bytes=${offset}-${end - 1}`);
      fetched.push(part);
      return part.body;
    },
  };
}
