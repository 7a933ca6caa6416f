/**
 * Reads and writes of live paths, through a feature's LiveIO port where one owns the path (a macOS
 * preferences domain goes through cfprefsd), else the file itself (mirror/live.ts).
 *
 * For a port-owned path the content is the owner's view (`defaults export`), while sizes and times
 * stay the file's own: the fast path ("unchanged since it was synced") compares those, and cfprefsd
 * writes the file whenever the domain changes. The check-then-write ("the live path still holds what
 * the pass saw") compares the owner's view too, so an app's change made meanwhile is never
 * overwritten: the write is abandoned and decided again.
 */
import { lstatSync } from 'node:fs';
import { readLive, writeLive, currentLiveId, type LiveContent, type LiveRead, type LiveWrite } from '../mirror/live.js';
import { blobOid } from '../snapshot/hash.js';
import type { LiveApplyContext, LiveIO } from './guards.js';

export type PortWrite = LiveWrite & { notice?: string };

export class LiveAccess {
  constructor(
    private readonly ports: readonly LiveIO[],
    private readonly applyContext: (live: string) => LiveApplyContext,
  ) {}

  owner(live: string): LiveIO | null {
    for (const p of this.ports) if (p.owns(live)) return p;
    return null;
  }

  async read(live: string, maxBytes: number): Promise<LiveRead> {
    const port = this.owner(live);
    if (!port) return readLive(live, maxBytes);
    let st;
    try {
      st = lstatSync(live);
    } catch {
      st = null;
    }
    if (st && !st.isFile()) return readLive(live, maxBytes); // a link or folder there: the file's own rules
    try {
      const content = await port.read(live);
      if (!content) return { kind: 'absent' };
      if (content.length > maxBytes) return { kind: 'too-large', size: content.length, mtimeMs: st?.mtimeMs ?? 0 };
      return { kind: 'file', content, oid: blobOid(content), perm: st ? st.mode & 0o777 : 0o600, size: st?.size ?? content.length, mtimeMs: st?.mtimeMs ?? 0, ctimeMs: st?.ctimeMs ?? 0 };
    } catch (e) {
      return { kind: 'error', message: `${port.name}: ${(e as Error).message}` };
    }
  }

  /** The live id the write check compares (see currentLiveId). */
  async currentId(live: string): Promise<string | null> {
    const port = this.owner(live);
    if (!port) return currentLiveId(live);
    const content = await port.read(live);
    return content ? blobOid(content) : null;
  }

  async write(live: string, what: LiveContent, expected: string | null): Promise<PortWrite> {
    const port = this.owner(live);
    if (!port || what.kind !== 'file') return writeLive(live, what, expected);
    try {
      if ((await this.currentId(live)) !== expected) return { kind: 'moved' };
      const { notice } = await port.write(live, what.content, this.applyContext(live));
      let st;
      try {
        st = lstatSync(live);
      } catch {
        st = null;
      }
      // cfprefsd may write the file a moment later: a size and time that do not match then only make
      // the next pass read the domain again.
      return { kind: 'written', size: st?.size ?? 0, mtimeMs: st?.mtimeMs ?? 0, ctimeMs: st?.ctimeMs ?? 0, ...(notice ? { notice } : {}) };
    } catch (e) {
      return { kind: 'error', message: `${port.name}: ${(e as Error).message}` };
    }
  }
}
