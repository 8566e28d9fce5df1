// One progress bar for the downloads of a command, on stderr: bytes, files and
// rate (through cli-progress). Only on a terminal and when status lines are
// shown (not with -q); otherwise every method does nothing. The bar appears
// with the first byte received, so a run served from the cache prints none.

import cliProgress from 'cli-progress';
import { currentLevel, Level } from './log.js';

/** What a download step tells the display. Files are told by URL. */
export interface DownloadProgress {
  /** The files about to be fetched, with their sizes when the index gives them. */
  start(files: { url: string; size: number | null }[]): void;
  /** Bytes of one file received from the network. */
  bytes(url: string, n: number): void;
  /** One file is there (downloaded, or found in the cache without a byte fetched). */
  done(url: string): void;
  /** The step is over (also after an error): the bar goes away. */
  finish(): void;
}

const SILENT: DownloadProgress = { start() {}, bytes() {}, done() {}, finish() {} };

/** `12.3 MiB`. */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

interface Tracked {
  size: number | null;
  received: number;
  finished: boolean;
}

type Stream = NodeJS.WritableStream & { isTTY?: boolean };

class BarProgress implements DownloadProgress {
  private readonly files = new Map<string, Tracked>();
  private bar: cliProgress.SingleBar | undefined;
  private started = 0;

  constructor(private readonly stream: Stream) {}

  start(files: { url: string; size: number | null }[]): void {
    for (const f of files) if (!this.files.has(f.url)) this.files.set(f.url, { size: f.size, received: 0, finished: false });
  }

  bytes(url: string, n: number): void {
    const f = this.files.get(url);
    if (!f) return;
    f.received += n;
    if (!this.bar) {
      this.started = performance.now();
      this.bar = new cliProgress.SingleBar({
        stream: this.stream,
        format: 'Downloading [{bar}] {files} files | {amount} | {rate}',
        barsize: 24,
        hideCursor: false,
        clearOnComplete: true,
        fps: 10,
      }, cliProgress.Presets.shades_classic);
      this.bar.start(1, 0, this.payload());
    }
    this.render();
  }

  done(url: string): void {
    const f = this.files.get(url);
    if (!f) return;
    f.finished = true;
    // Found in the cache: it is not part of the transfer.
    if (f.received === 0) this.files.delete(url);
    this.render();
  }

  finish(): void {
    if (!this.bar) return;
    this.render();
    this.bar.stop();
    this.bar = undefined;
  }

  private totals(): { received: number; expected: number; done: number; count: number } {
    let received = 0;
    let expected = 0;
    let done = 0;
    for (const f of this.files.values()) {
      received += f.received;
      expected += Math.max(f.size ?? f.received, f.received);
      if (f.finished) done++;
    }
    return { received, expected, done, count: this.files.size };
  }

  private payload(): { files: string; amount: string; rate: string } {
    const t = this.totals();
    const seconds = Math.max((performance.now() - this.started) / 1000, 0.001);
    return {
      files: `${t.done}/${t.count}`,
      amount: `${formatBytes(t.received)}/${formatBytes(t.expected)}`,
      rate: `${formatBytes(Math.round(t.received / seconds))}/s`,
    };
  }

  private render(): void {
    if (!this.bar) return;
    const t = this.totals();
    this.bar.setTotal(Math.max(t.expected, 1));
    this.bar.update(t.received, this.payload());
  }
}

/** The display for this process: a bar on a terminal stderr at the normal verbosity or above, else silent. */
export function downloadProgress(stream: Stream = process.stderr): DownloadProgress {
  if (stream.isTTY !== true || currentLevel() < Level.Warn) return SILENT;
  return new BarProgress(stream);
}
