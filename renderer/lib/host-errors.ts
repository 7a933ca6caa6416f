/**
 * Errors from the host arrive as one line of text (a ContractError message, or Electron's wrapped
 * "Error invoking remote method …"). These helpers clean that line for people and pick out the
 * settings keys it names, so a form can show each message next to its field.
 */

/** Removes transport wrapping: "Error invoking remote method 'x': ContractError: msg" → "msg". */
export function cleanErrorMessage(message: string): string {
  let m = message.trim();
  m = m.replace(/^Error invoking remote method '[^']*':\s*/, '');
  m = m.replace(/^(?:ContractError|ConfigError|Error):\s*/, '');
  return m;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Finds `key: reason` segments for each of `keys` (zod's "a.b: message; c.d: message" form, possibly
 * after a `file: key "a.b": ` prefix). A key named only as `key "a.b"` gets the whole message.
 */
export function fieldErrors(message: string, keys: readonly string[]): Record<string, string> {
  const msg = cleanErrorMessage(message).replace(/\s*\(a copy was kept at [^)]*\)\s*$/, '');
  const out: Record<string, string> = {};
  for (const key of keys) {
    const re = new RegExp(`(?:^|[;\\s"])${escapeRe(key)}:\\s*([^;]+)`);
    const m = re.exec(msg);
    if (m) {
      out[key] = m[1].trim();
      continue;
    }
    if (msg.includes(`key "${key}"`)) out[key] = msg;
  }
  return out;
}
