/**
 * File and folder names that are safe on macOS, Linux and Windows.
 *
 * - `/ \ : * ? " < > |` and control characters (C0, DEL, C1) become `_`;
 * - NFC normalisation (macOS hands out NFD names; git and Linux see bytes);
 * - no leading dot (hidden files) and no trailing dots/spaces (Windows strips them);
 * - at most `maxBytes` UTF-8 bytes, cut on a code point boundary;
 * - Windows device names (CON, PRN, AUX, NUL, COM1–9, LPT1–9) get a trailing `_`.
 */
const UNSAFE = /[/\\:*?"<>|\u0000-\u001f\u007f-\u009f]/g;
const RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;

export function safeName(name: string, maxBytes = 100, fallback = 'Unnamed'): string {
  let s = name.normalize('NFC').replace(UNSAFE, '_');
  s = truncateUtf8(s, maxBytes);
  s = s.replace(/^\.+/, (m) => '_'.repeat(m.length)).replace(/[. ]+$/, '').trim();
  if (!s) s = fallback;
  if (RESERVED.test(s)) s += '_';
  return s;
}

export function truncateUtf8(s: string, maxBytes: number): string {
  if (Buffer.byteLength(s, 'utf8') <= maxBytes) return s;
  let out = '';
  let bytes = 0;
  for (const ch of s) {
    const n = Buffer.byteLength(ch, 'utf8');
    if (bytes + n > maxBytes) break;
    out += ch;
    bytes += n;
  }
  return out;
}

/** `<safe group name> (<first 8 of group UID>)` */
export function groupFolderName(groupName: string, groupUid: string): string {
  return `${safeName(groupName, 100, 'Unnamed Group')} (${safeName(groupUid, 64, 'nouid').slice(0, 8)})`;
}

/** `<safe macro name> (<macro UID>).kmmacros` */
export function macroFileName(macroName: string, macroUid: string): string {
  return `${safeName(macroName, 100, 'Unnamed Macro')}${macroFileSuffix(macroUid)}`;
}

/** ` (<macro UID>).kmmacros`: the part of a macro's file name that survives renames. */
export function macroFileSuffix(macroUid: string): string {
  return ` (${safeName(macroUid, 80, 'nouid')}).kmmacros`;
}
