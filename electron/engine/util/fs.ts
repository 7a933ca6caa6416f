/**
 * Two questions about a path, asked without following a link at it (a link is an entry of its own).
 */
import { lstatSync } from 'node:fs';

/** Something (a file, a link, a folder) is at `abs`. */
export function presentAt(abs: string): boolean {
  try {
    lstatSync(abs);
    return true;
  } catch {
    return false;
  }
}

/** A folder (not a link to one) is at `abs`. */
export function isFolder(abs: string): boolean {
  try {
    return lstatSync(abs).isDirectory();
  } catch {
    return false;
  }
}
