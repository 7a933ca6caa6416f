/**
 * Checks one pattern for the shared `.confsyncignore` before it is sent (`ignore:add`). The host checks
 * again; these are the mistakes worth catching while typing.
 */
export type IgnoreCheck = { ok: true; pattern: string } | { ok: false; error: string };

export function validateIgnorePattern(raw: string, existing: readonly string[] = []): IgnoreCheck {
  const pattern = raw.trim();
  if (!pattern) return { ok: false, error: 'Enter a pattern, e.g. zsh/.zsh_history or *.log' };
  if (/[\r\n\0]/.test(pattern)) return { ok: false, error: 'A pattern is one line' };
  if (pattern.length > 1000) return { ok: false, error: 'A pattern is at most 1,000 characters' };
  if (pattern.startsWith('#')) return { ok: false, error: 'A line starting with # is a comment; write \\# to match a name that starts with #' };
  if (/^(~|\/(Users|home)\/)/.test(pattern) || /^[A-Za-z]:[\\/]/.test(pattern)) {
    return { ok: false, error: 'Patterns match repo paths (like zsh/.zsh_history), not paths on this machine' };
  }
  if (existing.includes(pattern)) return { ok: false, error: `${pattern} is already in the list` };
  return { ok: true, pattern };
}
