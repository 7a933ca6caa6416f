/**
 * Audit trail of the hint channel: one line per frame (type, host, head, from address, verdict), never
 * the secret or a signature. Lines are kept in memory (the last 200) and appended, batched, to
 * `<configDir>/logs/peers-audit.log` (rotated to `.1` past 1 MB). They are not exposed by /health:
 * addresses and host names are nobody else's business.
 */
import { appendFile, mkdir, rename, stat } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface AuditEntry {
  at: number;
  verdict: string;
  from: string;
  type?: string;
  host?: string;
  head?: string;
  detail?: string;
}

export function formatAudit(e: AuditEntry): string {
  const parts = [new Date(e.at).toISOString(), `verdict=${e.verdict}`, `from=${e.from}`];
  if (e.type) parts.push(`type=${e.type}`);
  if (e.host) parts.push(`host=${e.host}`);
  if (e.head) parts.push(`head=${e.head.slice(0, 12)}`);
  if (e.detail) parts.push(`detail=${JSON.stringify(e.detail.slice(0, 200))}`);
  return parts.join(' ');
}

export const AUDIT_RING = 200;
const ROTATE_BYTES = 1024 * 1024;

/** Appends lines to a file, batching writes (a flood must not mean one syscall per frame). */
export class AuditFile {
  private queue: string[] = [];
  private writing: Promise<void> | null = null;
  private dirMade = false;

  constructor(readonly file: string) {}

  write(line: string): void {
    this.queue.push(line);
    if (this.queue.length > 5000) this.queue.splice(0, this.queue.length - 5000);
    if (!this.writing) this.writing = this.drain().finally(() => (this.writing = null));
  }

  async flush(): Promise<void> {
    while (this.writing) await this.writing;
  }

  private async drain(): Promise<void> {
    await new Promise((r) => setTimeout(r, 100).unref());
    while (this.queue.length) {
      const batch = this.queue.splice(0);
      try {
        if (!this.dirMade) {
          await mkdir(dirname(this.file), { recursive: true });
          this.dirMade = true;
        }
        const size = await stat(this.file).then((s) => s.size, () => 0);
        if (size > ROTATE_BYTES) await rename(this.file, `${this.file}.1`).catch(() => undefined);
        await appendFile(this.file, batch.join('\n') + '\n', { mode: 0o600 });
      } catch {
        // The audit file is best effort; the in-memory ring still has the lines.
      }
    }
  }
}

export class AuditLog {
  private readonly ring: string[] = [];

  constructor(private readonly sink: ((line: string) => void) | null) {}

  record(e: AuditEntry): string {
    const line = formatAudit(e);
    this.ring.push(line);
    if (this.ring.length > AUDIT_RING) this.ring.splice(0, this.ring.length - AUDIT_RING);
    try {
      this.sink?.(line);
    } catch {}
    return line;
  }

  lines(): string[] {
    return [...this.ring];
  }
}
