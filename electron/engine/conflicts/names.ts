/** Conflict copies: `<name>.conflict-<host>-<YYYYMMDD-HHMMSS>.<ext>`, beside the file, in the repo. */
const COPY_RE = /\.conflict-[A-Za-z0-9._-]+-\d{8}-\d{6}(\.[^./]*)?$/;

export function stamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}-${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}

export function conflictCopyName(path: string, host: string, at: Date): string {
  const slash = path.lastIndexOf('/');
  const dir = path.slice(0, slash + 1);
  const base = path.slice(slash + 1);
  const dot = base.lastIndexOf('.');
  const safeHost = host.replace(/[^A-Za-z0-9._-]/g, '-');
  // A leading dot (".zshrc") is a name, not an extension.
  if (dot <= 0) return `${dir}${base}.conflict-${safeHost}-${stamp(at)}`;
  return `${dir}${base.slice(0, dot)}.conflict-${safeHost}-${stamp(at)}${base.slice(dot)}`;
}

export function isConflictCopy(path: string): boolean {
  return COPY_RE.test(path);
}
