/** Parsing and writing the structured formats the merger understands: JSON, XML plist, binary plist. */
import plist from 'plist';
import bplistParser from 'bplist-parser';
import bplistCreator from 'bplist-creator';

export type Format = 'json' | 'plist-xml' | 'plist-binary';

export function detectFormat(path: string, content: Buffer): Format | null {
  const lower = path.toLowerCase();
  if (content.subarray(0, 8).toString('latin1') === 'bplist00') return 'plist-binary';
  if (lower.endsWith('.plist') || lower.endsWith('.kmmacros') || lower.endsWith('.kmlibrary')) {
    const head = content.subarray(0, 200).toString('utf8');
    if (head.includes('<plist') || head.startsWith('<?xml')) return 'plist-xml';
    return null;
  }
  if (lower.endsWith('.json') || lower.endsWith('.jsonc') === false && /\.(code-workspace|json5?)$/.test(lower)) return 'json';
  return null;
}

export function parseStructured(format: Format, content: Buffer): unknown {
  switch (format) {
    case 'json':
      return JSON.parse(content.toString('utf8'));
    case 'plist-xml':
      return plist.parse(content.toString('utf8'));
    case 'plist-binary': {
      const parsed = bplistParser.parseBuffer(content);
      return parsed[0];
    }
  }
}

/** JSON keeps the original's indentation style. */
export function writeStructured(format: Format, value: unknown, like?: Buffer): Buffer {
  switch (format) {
    case 'json': {
      const sample = like?.toString('utf8') ?? '';
      const indentMatch = sample.match(/\n([ \t]+)"/);
      const indent = indentMatch ? indentMatch[1] : 2;
      const trailingNewline = sample.length === 0 || sample.endsWith('\n');
      return Buffer.from(JSON.stringify(value, null, indent) + (trailingNewline ? '\n' : ''), 'utf8');
    }
    case 'plist-xml':
      return Buffer.from(plist.build(value as plist.PlistValue), 'utf8');
    case 'plist-binary':
      return bplistCreator(value as Record<string, unknown>);
  }
}
