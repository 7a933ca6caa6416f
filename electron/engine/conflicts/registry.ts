/**
 * Open conflicts, kept in the repo (`.confsync/conflicts.json`, a dict keyed by path so two machines'
 * edits to it merge by key) so every machine sees them and a resolution anywhere clears them everywhere.
 */
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { Conflict } from '../../../shared/state.js';
import { MARKER_DIR } from '../git/init.js';
import { isConflictCopy } from './names.js';

interface PathMapper {
  repoToLive(repoPath: string): string | null;
}

const File = z.object({ version: z.literal(1), conflicts: z.record(z.string(), Conflict) });

export class ConflictRegistry {
  readonly relPath = `${MARKER_DIR}/conflicts.json`;
  private items = new Map<string, Conflict>();
  error: string | null = null;

  constructor(
    private readonly repoDir: string,
    private readonly mapper: PathMapper,
  ) {}

  private get file(): string {
    return join(this.repoDir, this.relPath);
  }

  reload(): void {
    this.items.clear();
    this.error = null;
    if (!existsSync(this.file)) return;
    try {
      const r = File.safeParse(JSON.parse(readFileSync(this.file, 'utf8')));
      if (!r.success) throw new Error(r.error.issues[0]?.message ?? 'invalid');
      for (const [k, v] of Object.entries(r.data.conflicts)) this.items.set(k, v);
    } catch (e) {
      this.error = `${this.relPath}: ${(e as Error).message}`;
    }
  }

  save(): void {
    mkdirSync(dirname(this.file), { recursive: true });
    const conflicts: Record<string, Conflict> = {};
    for (const k of [...this.items.keys()].sort()) conflicts[k] = this.items.get(k)!;
    writeFileSync(this.file, JSON.stringify({ version: 1, conflicts }, null, 2) + '\n');
  }

  add(c: Conflict): void {
    this.items.set(c.path, c);
  }

  get(path: string): Conflict | undefined {
    return this.items.get(path);
  }

  remove(path: string): void {
    this.items.delete(path);
  }

  list(): Conflict[] {
    return [...this.items.values()].map((c) => ({ ...c, livePath: this.mapper.repoToLive(c.path) }));
  }

  /** A conflict copy's live place: beside the live original. */
  liveCopyPath(copyRepoPath: string): string | null {
    if (!isConflictCopy(copyRepoPath)) return null;
    const slash = copyRepoPath.lastIndexOf('/');
    const dir = copyRepoPath.slice(0, slash + 1);
    const name = copyRepoPath.slice(slash + 1);
    const m = name.match(/^(.*)\.conflict-[A-Za-z0-9._-]+-\d{8}-\d{6}(\.[^./]*)?$/);
    if (!m) return null;
    const original = `${dir}${m[1]}${m[2] ?? ''}`;
    const liveOriginal = this.mapper.repoToLive(original);
    if (!liveOriginal) return null;
    return join(dirname(liveOriginal), name);
  }
}
