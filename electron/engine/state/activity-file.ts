/**
 * The activity feed survives restarts: the last entries are kept in `activity.json` in the config dir
 * (written a moment after each change, atomically, and on stop). An unreadable file starts an empty
 * feed; it never stops the engine.
 */
import { readFileSync } from 'node:fs';
import writeFileAtomic from 'write-file-atomic';
import { z } from 'zod';
import { ActivityItem } from '../../../shared/state.js';
import { LIMITS, seedActivityIds, type AppStore } from './app-store.js';

export class ActivityFile {
  private timer: NodeJS.Timeout | null = null;
  private last: unknown = null;
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly file: string,
    private readonly store: AppStore,
  ) {}

  /** Puts the saved entries (older than anything this run adds) into the store and follows changes. */
  load(): void {
    try {
      const r = z.array(ActivityItem).safeParse(JSON.parse(readFileSync(this.file, 'utf8')));
      if (r.success) {
        const saved = r.data.slice(0, LIMITS.activity);
        seedActivityIds(saved.reduce((m, a) => Math.max(m, a.id), 0));
        this.store.setState((s) => ({ activity: [...s.activity, ...saved].slice(0, LIMITS.activity) }));
      }
    } catch {
      // none yet, or unreadable: a fresh feed
    }
    this.last = this.store.getState().activity;
    this.unsubscribe = this.store.subscribe((s) => {
      if (s.activity === this.last) return;
      this.last = s.activity;
      if (!this.timer) this.timer = setTimeout(() => void this.flush(), 500);
    });
  }

  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await writeFileAtomic(this.file, JSON.stringify(this.store.getState().activity), { mode: 0o600 }).catch(() => undefined);
  }

  async close(): Promise<void> {
    this.unsubscribe?.();
    if (this.timer) await this.flush();
  }
}
