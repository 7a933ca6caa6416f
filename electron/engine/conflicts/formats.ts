/**
 * Parsing and writing the structured formats the merger understands: JSON, XML plist, binary plist.
 * Plists go through the Keyboard Maestro module's codec, which works around bplist-parser's object
 * limit and bplist-creator's date/integer bugs (see km/plist-codec.ts).
 */
import { decodePlist, encodePlist } from '../km/plist-codec.js';
import type { PlistValue } from '../km/types.js';

export type Format = 'json' | 'plist-xml' | 'plist-binary';

export function detectFormat(path: string, content: Buffer): Format | null {
  const lower = path.toLowerCase();
  if (content.subarray(0, 8).toString('latin1') === 'bplist00') return 'plist-binary';
  if (lower.endsWith('.plist') || lower.endsWith('.kmmacros') || lower.endsWith('.kmlibrary')) {
    const head = content.subarray(0, 200).toString('utf8').trimStart();
    if (head.startsWith('<?xml') || head.startsWith('<!DOCTYPE plist') || head.startsWith('<plist')) return 'plist-xml';
    return null;
  }
  if (lower.endsWith('.json') || lower.endsWith('.code-workspace')) return 'json';
  return null;
}

export function parseStructured(format: Format, content: Buffer): unknown {
  if (format === 'json') return JSON.parse(content.toString('utf8'));
  return decodePlist(content).value;
}

/** JSON keeps the original's indentation style and trailing newline. */
export function writeStructured(format: Format, value: unknown, like?: Buffer): Buffer {
  if (format === 'json') {
    const sample = like?.toString('utf8') ?? '';
    const indentMatch = sample.match(/\n([ \t]+)"/);
    const indent = indentMatch ? indentMatch[1] : 2;
    const trailingNewline = sample.length === 0 || sample.endsWith('\n');
    return Buffer.from(JSON.stringify(value, null, indent) + (trailingNewline ? '\n' : ''), 'utf8');
  }
  return encodePlist(value as PlistValue, format === 'plist-xml' ? 'xml' : 'binary');
}
