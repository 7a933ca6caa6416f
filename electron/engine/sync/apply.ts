/**
 * Carrying out one decision of the rule for one path: write the repo's version to the live file, put
 * this machine's version into the repo, merge, or keep both (the one keep-both policy: the winner keeps
 * the path, the other goes beside it as a conflict copy named after its host, or is recorded as a
 * deletion). Every live write is re-checked right before it happens; 'moved' means the live file
 * changed under us, and the caller decides again.
 */
import { presentAt } from '../util/fs.js';
import type { SyncContext } from './context.js';
import { mergeMode, same, type Version } from './rule.js';
import { writeLive, deleteLive, chmodLive, encodeLinkTarget, decodeLinkTarget, type LiveContent } from '../mirror/live.js';
import { lastTouch } from '../git/log.js';
import { blobOid } from '../snapshot/hash.js';
import { freeCopyName, isConflictCopy, type StoredConflict } from './conflicts.js';
import { liveMode } from './modes.js';
import { versionOfEntry, gitMode, gatheredBytes, DROPPED, type Item, type Stage, type ReconcileReport } from './pass.js';

export class Applier {
  /** Reads blobs (one `cat-file --batch` per pass, set by the reconcile). */
  readBlob: (oid: string) => Promise<Buffer>;

  constructor(private readonly c: SyncContext) {
    this.readBlob = (oid) => c.git.catBlob(oid);
  }

  noteHold(it: Item, report: ReconcileReport): void {
    const d = it.decision;
    if (d.action !== 'hold') return;
    const outgoing = d.side !== 'remote';
    const unsynced = outgoing && !same(it.L, it.B) && it.L.kind !== 'absent' && it.L.kind !== 'dir';
    report.skipped.push({ path: it.live, reason: d.reason, unsynced, direction: outgoing ? 'outgoing' : 'incoming' });
  }

  /** Carries out one decision. Returns 'moved' when the live file changed under us. */
  async execute(it: Item, stage: Stage, report: ReconcileReport): Promise<'done' | 'moved'> {
    const d = it.decision;
    switch (d.action) {
      case 'none':
        this.recordSynced(it);
        return 'done';
      case 'hold':
        this.noteHold(it, report);
        return 'done';
      case 'take-remote':
        return this.takeRemote(it, report);
      case 'take-local':
        await this.takeLocal(it, stage);
        return 'done';
      case 'merge':
        return this.merge(it, stage, report);
      case 'conflict':
        return this.conflict(it, d.keep, d.other, [], d.why, stage, report);
    }
  }

  /** L and R agree: remember it (or forget a path gone on both sides). */
  private recordSynced(it: Item): void {
    const r = it.read;
    if (it.L.kind === 'absent' || it.L.kind === 'dir') {
      this.c.snapshot.delete(it.path);
      return;
    }
    if (r.kind === 'file' || r.kind === 'link') {
      // A file kept stricter than the record stays known as such (else it would look like an edit).
      const stricter = r.kind === 'file' && (r.perm & 0o077) === 0 && !it.L.private;
      this.c.snapshot.set(it.path, { oid: it.L.oid!, mode: gitMode(it.L), priv: !!it.L.private, size: r.size, mtimeMs: r.mtimeMs, ...(stricter ? { stricter: true } : {}) });
    }
  }

  private liveId(it: Item): string | null {
    const r = it.read;
    return r.kind === 'file' || r.kind === 'link' ? r.oid : null;
  }

  /** A copy name this pass already writes, or a file already there on disk. */
  private copyNameTaken(name: string, stage: Stage): boolean {
    if (stage.paths.has(name)) return true;
    const live = this.c.paths.toLive(name);
    return live !== null && presentAt(live);
  }

  /**
   * The repo's version written beside the live file as a conflict copy, in the form the live file has
   * (a binary plist stays binary, as the file itself would be written): the copy can stand in for the
   * file. What cannot be written back that way goes as the repo holds it.
   */
  private copyForLive(copyPath: string, repoBytes: Buffer, it: Item): Buffer {
    const current = it.read.kind === 'file' && it.read.content !== DROPPED ? it.read.content : null;
    try {
      return this.c.formats.codecFor(copyPath, repoBytes).toLive(repoBytes, { repoPath: copyPath, host: this.c.host, platform: this.c.platform, currentLive: current });
    } catch {
      return repoBytes;
    }
  }

  /** The repo's version of a path, as bytes for the live side (a link's target re-rooted here). */
  private async remoteContent(it: Item, perm: number | null): Promise<LiveContent> {
    const h = it.head!;
    const bytes = (it.remoteBytes ??= await this.readBlob(h.oid));
    if (h.mode === '120000') return { kind: 'link', target: decodeLinkTarget(bytes.toString('utf8'), this.c.home) };
    if (this.c.sealed.isSealed(it.path)) return { kind: 'file', content: await this.unseal(h.oid, bytes), perm: liveMode({ exec: h.mode === '100755', private: true, current: perm }) };
    const content = this.c.formats.codecFor(it.path, bytes).toLive(bytes, { repoPath: it.path, host: this.c.host, platform: this.c.platform, currentLive: it.read.kind === 'file' ? gatheredBytes(it) : null });
    return { kind: 'file', content, perm: liveMode({ exec: h.mode === '100755', private: this.c.modes.isPrivate(it.path), current: perm }) };
  }

  private async takeRemote(it: Item, report: ReconcileReport): Promise<'done' | 'moved'> {
    const expected = this.liveId(it);
    if (it.R.kind === 'absent' || it.R.kind === 'dir') {
      if (it.L.kind === 'absent' || it.L.kind === 'dir') {
        this.c.snapshot.delete(it.path);
        return 'done';
      }
      const r = await deleteLive(it.live, expected!);
      if (r.kind === 'moved') return 'moved';
      if (r.kind === 'error') throw new Error(r.message);
      this.c.snapshot.delete(it.path);
      report.applied.push(it.path);
      return 'done';
    }
    const currentPerm = it.read.kind === 'file' ? it.read.perm : null;
    // Same bytes, another mode: only the permission bits change.
    if (it.read.kind === 'file' && it.L.kind === 'file' && it.R.kind === 'file' && it.L.oid === it.R.oid) {
      const perm = liveMode({ exec: !!it.R.exec, private: !!it.R.private, current: currentPerm });
      const w = await chmodLive(it.live, perm, expected!);
      if (w.kind === 'moved') return 'moved';
      if (w.kind === 'error') throw new Error(w.message);
      this.setSnapshot(it.path, it.R, w, (perm & 0o077) === 0 && !it.R.private);
      if (perm !== currentPerm) report.applied.push(it.path);
      return 'done';
    }
    const content = await this.remoteContent(it, currentPerm);
    const w = await this.c.live.write(it.live, content, expected);
    if (w.kind === 'written' && w.notice) report.notices.push(w.notice);
    if (w.kind === 'moved') return 'moved';
    if (w.kind === 'error') throw new Error(w.message);
    this.setSnapshot(it.path, it.R, w, content.kind === 'file' && (content.perm & 0o077) === 0 && !it.R.private);
    report.applied.push(it.path);
    return 'done';
  }

  /**
   * Records what this machine and the repo agree on. `stricter`: the live file was kept stricter
   * (0600) than the repo's record; that is this machine's choice, not an edit to send.
   */
  setSnapshot(path: string, v: Version, w: { size: number; mtimeMs: number }, stricter = false, recordedAt = Date.now()): void {
    if (v.kind !== 'file' && v.kind !== 'link') {
      this.c.snapshot.delete(path);
      return;
    }
    this.c.snapshot.set(path, { oid: v.oid!, mode: gitMode(v), priv: !!v.private, size: w.size, mtimeMs: w.mtimeMs, ...(stricter ? { stricter: true } : {}) }, recordedAt);
  }

  /** The plain text of an encrypted file's blob at this path (remembered by its id). */
  private async unseal(oid: string, bytes?: Buffer): Promise<Buffer> {
    const plain = await this.c.sealer.open(bytes ?? (await this.readBlob(oid)));
    if (!plain) throw new Error('encrypted with your secrets identity, which this machine does not have');
    this.c.plainIds.set(oid, blobOid(plain));
    return plain;
  }

  /** The bytes the repo stores for this machine's version. */
  private localRepoBytes(it: Item): Buffer {
    const r = it.read;
    if (r.kind === 'link') {
      const enc = encodeLinkTarget(r.target, it.live, this.c.home);
      if (!enc.ok) throw new Error(enc.reason);
      return Buffer.from(enc.stored, 'utf8');
    }
    if (r.kind === 'file' && it.localRepo) return it.localRepo;
    // The plain text of a file stored encrypted never goes to the repo (it.localRepo holds its sealed form).
    if (r.kind === 'file' && this.c.sealed.isSealed(it.path)) throw new Error(`internal: the plain text of ${it.path}, stored encrypted, was about to be committed; nothing was`);
    if (r.kind === 'file') return this.c.formats.codecFor(it.path, gatheredBytes(it)).toRepo(gatheredBytes(it), { repoPath: it.path, host: this.c.host, platform: this.c.platform });
    throw new Error(`${it.live} cannot be read`);
  }

  private async takeLocal(it: Item, stage: Stage): Promise<void> {
    if (it.L.kind === 'absent' || it.L.kind === 'dir') {
      stage.remove(it.path);
      if (this.c.modes.set(it.path, false)) stage.modes = true;
      stage.add(it.path, null, it);
      // A conflict copy deleted by hand drops that version from its conflict; when no other version is
      // left, the conflict is over and the version in the file stays.
      if (isConflictCopy(it.path) && this.c.conflicts.get(it.path)) {
        const path = this.c.conflicts.get(it.path)!.path;
        this.c.conflicts.noteCopy(it.path, false);
        stage.conflicts = true;
        if (!this.c.conflicts.get(path)) stage.resolvedByHand.push(path);
      }
      return;
    }
    const bytes = this.localRepoBytes(it);
    // Bytes going to the repo as they were read: the read already holds their id (readLive hashed them).
    const r = it.read;
    await stage.put(it.path, gitMode(it.L), bytes, r.kind === 'file' && bytes === r.content ? r.oid : undefined);
    if (this.c.modes.set(it.path, !!it.L.private)) stage.modes = true;
    stage.add(it.path, it.L, it);
  }

  private async merge(it: Item, stage: Stage, report: ReconcileReport): Promise<'done' | 'moved'> {
    const mode = mergeMode(it.B, it.L, it.R);
    const mergedVersion = (oid: string): Version => ({ kind: 'file', oid, exec: mode.exec, private: mode.private });
    if (it.L.kind === 'file' && it.R.kind === 'file' && it.read.kind === 'file' && it.head) {
      // An encrypted file merges as its plain text (this process only), and is sealed again.
      const plainPath = this.c.sealed.plainOf(it.path);
      const mine = plainPath ? gatheredBytes(it) : this.localRepoBytes(it);
      const theirs = plainPath ? await this.unseal(it.head.oid) : await this.readBlob(it.head.oid);
      let content: Buffer | null = null;
      let livePlain: Buffer | null = null;
      let details: string[] = [];
      let partial: Buffer | null = null;
      if (it.L.oid === it.R.oid) content = mine;
      else {
        const base = it.B.kind === 'file' ? await this.readBlob(it.B.oid!).then((b) => (plainPath ? this.unseal(it.B.oid!, b) : b)).catch(() => null) : null;
        const m = await this.c.formats.merge(plainPath ?? it.path, base, mine, theirs);
        if (m.clean) content = m.content;
        else {
          details = m.details;
          if (m.partial && !plainPath) partial = m.partial;
        }
      }
      if (content && plainPath) {
        const plain = content;
        content = it.L.oid === it.R.oid ? await this.readBlob(it.head.oid) : await this.c.sealer.seal(plain);
        this.c.plainIds.set(blobOid(content), blobOid(plain));
        livePlain = plain;
      }
      if (content) {
        const oid = blobOid(content);
        // The merge result holds this machine's edit: it passes the commit guards like any local edit.
        for (const g of this.c.guards.commit) {
          const why = await g(it.path, content);
          if (why) {
            report.skipped.push({ path: it.live, reason: why, unsynced: true, direction: 'outgoing' });
            return 'done';
          }
        }
        const v = mergedVersion(oid);
        const liveBytes = plainPath ? livePlain! : this.c.formats.codecFor(it.path, content).toLive(content, { repoPath: it.path, host: this.c.host, platform: this.c.platform, currentLive: gatheredBytes(it) });
        const w = await this.c.live.write(it.live, { kind: 'file', content: liveBytes, perm: liveMode({ exec: mode.exec, private: mode.private, current: it.read.perm }) }, it.read.oid);
        if (w.kind === 'written' && w.notice) report.notices.push(w.notice);
        if (w.kind === 'moved') return 'moved';
        if (w.kind === 'error') throw new Error(w.message);
        await stage.put(it.path, gitMode(v), content);
        if (this.c.modes.set(it.path, mode.private)) stage.modes = true;
        stage.add(it.path, v, it, w);
        report.applied.push(it.path);
        return 'done';
      }
      if (partial) {
        // Merged but for the conflicting parts (which keep this machine's): that is what stays here,
        // the other side's whole version goes beside it.
        const v = mergedVersion(blobOid(partial));
        const liveBytes = this.c.formats.codecFor(it.path, partial).toLive(partial, { repoPath: it.path, host: this.c.host, platform: this.c.platform, currentLive: gatheredBytes(it) });
        const w = await this.c.live.write(it.live, { kind: 'file', content: liveBytes, perm: liveMode({ exec: mode.exec, private: mode.private, current: it.read.perm }) }, it.read.oid);
        if (w.kind === 'moved') return 'moved';
        if (w.kind === 'error') throw new Error(w.message);
        return this.conflict(it, 'local', 'copy', details, 'both-changed', stage, report, { content: partial, version: v, written: w });
      }
      return this.conflict(it, 'local', 'copy', details, 'both-changed', stage, report);
    }
    return this.conflict(it, 'local', 'copy', [], 'both-changed', stage, report);
  }

  /**
   * Keep both (the one policy): `keep` holds the path; the other version goes beside it as a conflict
   * copy named after its host (in the repo and next to the live file), or is recorded as a deletion.
   */
  private async conflict(it: Item, keep: 'local' | 'remote', other: 'copy' | 'deleted', details: string[], why: string, stage: Stage, report: ReconcileReport, atPath?: { content: Buffer; version: Version; written: { size: number; mtimeMs: number } }): Promise<'done' | 'moved'> {
    const now = new Date();
    const remoteSide = await lastTouch(this.c.git, 'HEAD', it.path);
    const localSide = { host: this.c.host, at: now.getTime() };
    const kind: StoredConflict['kind'] =
      why === 'delete-vs-modify' ? 'delete-vs-modify' : why === 'first-meeting' ? 'first-meeting' : why === 'kind-change' || why === 'link-over-file' ? 'kind-change' : /Keyboard Maestro Macros\.plist$/.test(it.path) ? 'km-macro' : details.length && details.every((x) => /^key |^profile /.test(x)) ? 'structured' : 'text';
    let copyPath: string | null = null;
    if (keep === 'local') {
      // This machine's version keeps the path (its live file stays as it is).
      if (other === 'copy' && it.head) {
        copyPath = freeCopyName(it.path, remoteSide.host, now, (n) => this.copyNameTaken(n, stage));
        const sealedCopy = this.c.sealed.isSealed(it.path);
        const theirs = sealedCopy ? await this.unseal(it.head.oid) : await this.readBlob(it.head.oid);
        stage.putExisting(copyPath, it.head.mode, it.head.oid);
        if (this.c.modes.isPrivate(it.path) && this.c.modes.set(copyPath, true)) stage.modes = true;
        const liveCopy = this.c.paths.toLive(copyPath);
        let w: { size: number; mtimeMs: number } | null = null;
        if (liveCopy) {
          const content = it.head.mode === '120000' ? { kind: 'link' as const, target: decodeLinkTarget(theirs.toString('utf8'), this.c.home) } : { kind: 'file' as const, content: sealedCopy ? theirs : this.copyForLive(copyPath, theirs, it), perm: liveMode({ exec: it.head.mode === '100755', private: sealedCopy || this.c.modes.isPrivate(it.path), current: null }) };
          const r = await writeLive(liveCopy, content, null);
          if (r.kind === 'written') w = r;
        }
        stage.add(copyPath, versionOfEntry(it.head, this.c.modes.isPrivate(it.path)), null, w ?? { size: theirs.length, mtimeMs: 0 });
        report.applied.push(copyPath);
      }
      if (atPath) {
        // A partial merge (formats/codec.ts MergeOutcome `partial`), already written live.
        await stage.put(it.path, gitMode(atPath.version), atPath.content);
        if (this.c.modes.set(it.path, !!atPath.version.private)) stage.modes = true;
        stage.add(it.path, atPath.version, it, atPath.written);
      } else if (it.L.kind === 'file' || it.L.kind === 'link') {
        await stage.put(it.path, gitMode(it.L), this.localRepoBytes(it));
        if (this.c.modes.set(it.path, !!it.L.private)) stage.modes = true;
        stage.add(it.path, it.L, it);
      } else {
        stage.remove(it.path); // a folder keeps the path: its files are paths of their own
        stage.add(it.path, null, it);
      }
      this.record(stage, report, {
        path: it.path,
        copyPath,
        kind,
        atPath: { ...localSide, deleted: false },
        other: { host: remoteSide.host, at: remoteSide.at, deleted: other === 'deleted' },
        details,
        detectedAt: now.getTime(),
        detectedBy: this.c.host,
      });
      return 'done';
    }
    // The repo's version keeps the path; this machine's goes beside it (or was a deletion).
    if (other === 'copy' && (it.read.kind === 'file' || it.read.kind === 'link')) {
      copyPath = freeCopyName(it.path, this.c.host, now, (n) => this.copyNameTaken(n, stage));
      const liveCopy = this.c.paths.toLive(copyPath);
      const mineBytes = this.localRepoBytes(it);
      let w: { size: number; mtimeMs: number } | null = null;
      if (liveCopy) {
        const content: LiveContent = it.read.kind === 'link' ? { kind: 'link', target: it.read.target } : { kind: 'file', content: gatheredBytes(it), perm: it.read.perm };
        const r = await writeLive(liveCopy, content, null);
        if (r.kind === 'error') throw new Error(r.message);
        if (r.kind === 'written') w = r;
      }
      await stage.put(copyPath, gitMode(it.L), mineBytes);
      if (it.L.private && this.c.modes.set(copyPath, true)) stage.modes = true;
      stage.add(copyPath, it.L, null, w ?? { size: mineBytes.length, mtimeMs: 0 });
    }
    const expected = this.liveId(it);
    if (it.R.kind === 'dir') {
      if (expected) {
        const r = await deleteLive(it.live, expected);
        if (r.kind === 'moved') return 'moved';
        if (r.kind === 'error') throw new Error(r.message);
      }
      this.c.snapshot.delete(it.path);
    } else if (it.head) {
      const content = await this.remoteContent(it, it.read.kind === 'file' ? it.read.perm : null);
      const w = await this.c.live.write(it.live, content, other === 'deleted' ? null : expected);
      if (w.kind === 'moved') return 'moved';
      if (w.kind === 'error') throw new Error(w.message);
      this.setSnapshot(it.path, it.R, w, content.kind === 'file' && (content.perm & 0o077) === 0 && !it.R.private);
      report.applied.push(it.path);
    }
    this.record(stage, report, {
      path: it.path,
      copyPath,
      kind,
      atPath: { host: remoteSide.host, at: remoteSide.at, deleted: false },
      other: { host: this.c.host, at: now.getTime(), deleted: other === 'deleted' },
      details,
      detectedAt: now.getTime(),
      detectedBy: this.c.host,
    });
    return 'done';
  }

  private record(stage: Stage, report: ReconcileReport, c: StoredConflict): void {
    this.c.conflicts.add(c);
    stage.conflicts = true;
    report.conflicts.push(c);
  }
}
