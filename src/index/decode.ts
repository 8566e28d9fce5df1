// Content-Encoding of simple pages (large JSON pages are usually compressed on the wire).

import { promisify } from 'node:util';
import { brotliDecompress, gunzip, inflate } from 'node:zlib';
import { ZephyrError } from '../ui/errors.js';

const decoders: Record<string, (data: Buffer) => Promise<Buffer>> = {
  gzip: promisify(gunzip),
  'x-gzip': promisify(gunzip),
  deflate: promisify(inflate),
  br: promisify(brotliDecompress),
};

export const ACCEPT_ENCODING = 'gzip, deflate, br';

/** The body with every listed content coding undone (last applied first). */
export async function decodeBody(body: Buffer, contentEncoding: string | undefined, url: string): Promise<Buffer> {
  if (contentEncoding === undefined) return body;
  const codings = contentEncoding.split(',').map((c) => c.trim().toLowerCase()).filter((c) => c !== '' && c !== 'identity');
  let data = body;
  for (const coding of codings.reverse()) {
    const decode = decoders[coding];
    if (decode === undefined) {
      throw new ZephyrError('ZE_INDEX_BAD_RESPONSE', `${url} was sent with an unsupported Content-Encoding: ${coding}.`);
    }
    data = await decode(data);
  }
  return data;
}
