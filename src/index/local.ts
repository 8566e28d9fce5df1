// file:// pages: a folder stands for its index.html, as a web server would serve it.

import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface LocalPage {
  body: string;
  /** The file actually read: the base of relative links. */
  url: string;
}

function isMissing(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** The page at a file: URL, or null when there is none. */
export async function readLocalPage(url: URL): Promise<LocalPage | null> {
  let path = fileURLToPath(url);
  try {
    if ((await stat(path)).isDirectory()) path = join(path, 'index.html');
    return { body: await readFile(path, 'utf8'), url: pathToFileURL(path).href };
  } catch (error) {
    if (isMissing(error)) return null;
    throw error;
  }
}
