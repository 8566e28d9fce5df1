// Reading one member of a zip through a random-access reader: the end of
// central directory record (zip64 too), the central directory, the local
// header, then the data (stored or deflated). Enough for a wheel's METADATA
// without reading the whole wheel.

import { promisify } from 'node:util';
import { inflateRaw as inflateRawCallback } from 'node:zlib';
import { ZephyrError } from '../ui/errors.js';

const inflateRaw = promisify(inflateRawCallback);

/** Random access to `size` bytes. */
export interface RangeReader {
  readonly size: number;
  read(offset: number, length: number): Promise<Buffer>;
}

export interface ZipEntry {
  name: string;
  method: number;
  flags: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
  /** Name and extra lengths in the central directory (the local header usually agrees). */
  nameLength: number;
  extraLength: number;
}

const EOCD_SIGNATURE = 0x06054b50;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const ZIP64_EOCD_SIGNATURE = 0x06064b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const EOCD_SIZE = 22;
const MAX_COMMENT = 0xffff;
/** How much of the end of a file to read first: usually enough for the whole central directory. */
export const TAIL_SIZE = 64 * 1024;
/** At most this much is read before a central directory that the tail did not hold. */
const DIST_INFO_READ_MAX = 1024 * 1024;

export class ZipFormatError extends Error {
  override name = 'ZipFormatError';
}

function u64(buffer: Buffer, offset: number): number {
  const value = buffer.readBigUInt64LE(offset);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new ZipFormatError('zip64 value too large');
  return Number(value);
}

/** Where the central directory is, from the tail of the file (the last `tail.length` bytes). */
export async function locateCentralDirectory(
  reader: RangeReader,
  tail: Buffer,
): Promise<{ offset: number; size: number; entries: number }> {
  const tailStart = reader.size - tail.length;
  let eocd = -1;
  for (let i = tail.length - EOCD_SIZE; i >= Math.max(0, tail.length - EOCD_SIZE - MAX_COMMENT); i--) {
    if (tail.readUInt32LE(i) === EOCD_SIGNATURE) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new ZipFormatError('no end of central directory record');
  let entries = tail.readUInt16LE(eocd + 10);
  let size = tail.readUInt32LE(eocd + 12);
  let offset = tail.readUInt32LE(eocd + 16);
  if (entries === 0xffff || size === 0xffffffff || offset === 0xffffffff) {
    const locatorAt = eocd - 20;
    const locator = locatorAt >= 0 ? tail.subarray(locatorAt, eocd) : await reader.read(tailStart + locatorAt, 20);
    if (locator.readUInt32LE(0) !== ZIP64_LOCATOR_SIGNATURE) throw new ZipFormatError('zip64 locator missing');
    const record = await reader.read(u64(locator, 8), 56);
    if (record.readUInt32LE(0) !== ZIP64_EOCD_SIGNATURE) throw new ZipFormatError('zip64 end of central directory missing');
    entries = u64(record, 32);
    size = u64(record, 40);
    offset = u64(record, 48);
  }
  if (offset + size > reader.size) throw new ZipFormatError('central directory beyond the end of the file');
  return { offset, size, entries };
}

export function parseCentralDirectory(data: Buffer): ZipEntry[] {
  const entries: ZipEntry[] = [];
  let p = 0;
  while (p + 46 <= data.length && data.readUInt32LE(p) === CENTRAL_SIGNATURE) {
    const nameLength = data.readUInt16LE(p + 28);
    const extraLength = data.readUInt16LE(p + 30);
    const commentLength = data.readUInt16LE(p + 32);
    const entry: ZipEntry = {
      name: data.toString('utf8', p + 46, p + 46 + nameLength),
      method: data.readUInt16LE(p + 10),
      flags: data.readUInt16LE(p + 8),
      compressedSize: data.readUInt32LE(p + 20),
      uncompressedSize: data.readUInt32LE(p + 24),
      localHeaderOffset: data.readUInt32LE(p + 42),
      nameLength,
      extraLength,
    };
    applyZip64Extra(entry, data.subarray(p + 46 + nameLength, p + 46 + nameLength + extraLength));
    entries.push(entry);
    p += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** Zip64 extended information (0x0001): the 64-bit values of the fields that are 0xffffffff, in order. */
function applyZip64Extra(entry: ZipEntry, extra: Buffer): void {
  let p = 0;
  while (p + 4 <= extra.length) {
    const id = extra.readUInt16LE(p);
    const length = extra.readUInt16LE(p + 2);
    if (id === 0x0001) {
      let q = p + 4;
      const take = (): number | null => (q + 8 <= p + 4 + length ? ((q += 8), u64(extra, q - 8)) : null);
      if (entry.uncompressedSize === 0xffffffff) entry.uncompressedSize = take() ?? entry.uncompressedSize;
      if (entry.compressedSize === 0xffffffff) entry.compressedSize = take() ?? entry.compressedSize;
      if (entry.localHeaderOffset === 0xffffffff) entry.localHeaderOffset = take() ?? entry.localHeaderOffset;
      return;
    }
    p += 4 + length;
  }
}

/** The uncompressed bytes of one entry. */
export async function readEntry(reader: RangeReader, entry: ZipEntry): Promise<Buffer> {
  if ((entry.flags & 0x1) !== 0) throw new ZipFormatError(`${entry.name} is encrypted`);
  // Guess the local header has the same lengths as the central one; read once more if not.
  const guess = 30 + entry.nameLength + entry.extraLength + entry.compressedSize;
  let chunk = await reader.read(entry.localHeaderOffset, Math.min(guess, reader.size - entry.localHeaderOffset));
  if (chunk.length < 30 || chunk.readUInt32LE(0) !== LOCAL_SIGNATURE) throw new ZipFormatError(`bad local header for ${entry.name}`);
  const dataStart = 30 + chunk.readUInt16LE(26) + chunk.readUInt16LE(28);
  if (dataStart + entry.compressedSize > chunk.length) {
    chunk = await reader.read(entry.localHeaderOffset + dataStart, entry.compressedSize);
  } else {
    chunk = chunk.subarray(dataStart, dataStart + entry.compressedSize);
  }
  if (entry.method === 0) return chunk;
  if (entry.method === 8) return inflateRaw(chunk);
  throw new ZipFormatError(`${entry.name} uses unsupported compression method ${entry.method}`);
}

/**
 * The central directory entries of a zip. When the directory does not fit in the tail, the
 * read that fetches it starts as far again before it: a wheel's .dist-info files (METADATA,
 * then RECORD, whose size follows the directory's) are written last, just before it, so the
 * METADATA that comes next is usually in memory already instead of a third round trip.
 */
export async function listEntries(reader: RangeReader): Promise<ZipEntry[]> {
  const tailLength = Math.min(reader.size, TAIL_SIZE);
  const tailStart = reader.size - tailLength;
  const tail = await reader.read(tailStart, tailLength);
  const cd = await locateCentralDirectory(reader, tail);
  if (cd.offset >= tailStart) return parseCentralDirectory(tail.subarray(cd.offset - tailStart, cd.offset - tailStart + cd.size));
  const start = cd.offset - Math.min(cd.offset, cd.size, DIST_INFO_READ_MAX);
  const before = await reader.read(start, tailStart - start);
  const data = Buffer.concat([before, tail]).subarray(cd.offset - start, cd.offset - start + cd.size);
  return parseCentralDirectory(data);
}

/** The text of `<name>-<version>.dist-info/METADATA` of a wheel. */
export async function readWheelMetadata(reader: RangeReader, filename: string): Promise<string> {
  try {
    const entries = await listEntries(reader);
    const candidates = entries.filter((e) => /^[^/]+\.dist-info\/METADATA$/.test(e.name));
    const distName = filename.split('-')[0]?.toLowerCase() ?? '';
    const entry = candidates.find((e) => e.name.toLowerCase().startsWith(`${distName}-`)) ?? candidates[0];
    if (entry === undefined) throw new ZipFormatError('no .dist-info/METADATA');
    return (await readEntry(reader, entry)).toString('utf8');
  } catch (error) {
    if (error instanceof ZipFormatError || error instanceof RangeError) {
      throw new ZephyrError('ZE_WHEEL_INVALID', `${filename} is not a valid wheel: ${error.message}.`, 'The file may be corrupt; try `zephyr cache clean`.');
    }
    throw error;
  }
}
