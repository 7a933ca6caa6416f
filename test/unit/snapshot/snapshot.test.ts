/**
 * The snapshot keeps what it is given, through memory and its file: ids, modes, flags, sizes and
 * times per path, deletions and slot reuse; an earlier version's snapshot.json is read and replaced;
 * a damaged or cut file is noticed (and the engine rebuilds it), never half-trusted. The commit the
 * entries agree with (the anchor) is kept with them; a version-2 file (no anchor) is read and rewritten.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Snapshot, type SnapshotEntry } from '../../../electron/engine/snapshot/snapshot.js';

const dir = () => mkdtempSync(join(tmpdir(), 'cs-snapshot-'));

const entryArb: fc.Arbitrary<SnapshotEntry> = fc.record({
  oid: fc.oneof(fc.stringMatching(/^[0-9a-f]{40}$/), fc.constantFrom('plain:abc', 'unsyncable:x')),
  mode: fc.constantFrom('100644', '100755', '120000', '160000'),
  priv: fc.boolean(),
  stricter: fc.option(fc.constant(true), { nil: undefined }),
  size: fc.nat(),
  mtimeMs: fc.nat().map((n) => n * 1000 + 123),
});

function plain(e: SnapshotEntry | undefined) {
  if (!e) return e;
  const { recordedAt: _r, ...rest } = e;
  return { ...rest, priv: !!rest.priv, ...(rest.stricter ? { stricter: true } : {}) };
}

describe('Snapshot', () => {
  it('keeps every entry through set, delete, save and load (model check)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.constantFrom('set', 'set', 'delete'), fc.constantFrom('a', 'b/c', 'ü/ñ.txt', 'd/e/f', 'g', 'h'), entryArb), { maxLength: 40 }),
        async (ops) => {
          const file = join(dir(), 'snapshot.bin');
          const s = new Snapshot(file);
          const model = new Map<string, SnapshotEntry>();
          for (const [op, path, e] of ops) {
            if (op === 'set') {
              s.set(path, e);
              model.set(path, e);
            } else {
              s.delete(path);
              model.delete(path);
            }
          }
          for (const [p, e] of model) expect(plain(s.get(p))).toEqual(plain(e));
          expect(new Set(s.paths())).toEqual(new Set(model.keys()));
          // keyOf hands out the snapshot's own string for a path (the HEAD tree is keyed by it): never
          // another path's, whatever slots were freed and reused on the way.
          for (const p of ['a', 'b/c', 'ü/ñ.txt', 'd/e/f', 'g', 'h', 'nope']) expect(s.keyOf(p)).toBe(p);
          await s.save();
          const back = new Snapshot(file);
          expect(back.load().error).toBeNull();
          expect(back.size).toBe(model.size);
          for (const p of ['a', 'b/c', 'ü/ñ.txt', 'd/e/f', 'g', 'h']) expect(back.keyOf(p)).toBe(p);
          for (const [p, e] of model) {
            expect(plain(back.get(p))).toEqual(plain(e));
            expect(back.get(p)!.recordedAt).toBe(s.get(p)!.recordedAt);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('reads a snapshot.json of an earlier version, and replaces it at the next save', async () => {
    const d = dir();
    const oid = 'a'.repeat(40);
    writeFileSync(join(d, 'snapshot.json'), JSON.stringify({ version: 1, entries: [['zsh/.zshrc', oid, '100644', 12, 1700000000123, 1700000005000, 1], ['x/y', 'b'.repeat(40), '120000', 3, 5, 0, 2]] }));
    const s = new Snapshot(join(d, 'snapshot.bin'));
    expect(s.load().error).toBeNull();
    expect(s.get('zsh/.zshrc')).toEqual({ oid, mode: '100644', size: 12, mtimeMs: 1700000000123, recordedAt: 1700000005000, priv: true });
    expect(s.get('x/y')).toEqual({ oid: 'b'.repeat(40), mode: '120000', size: 3, mtimeMs: 5, recordedAt: 0, priv: false, stricter: true });
    await s.save();
    expect(existsSync(join(d, 'snapshot.json'))).toBe(false);
    const back = new Snapshot(join(d, 'snapshot.bin'));
    expect(back.load().error).toBeNull();
    expect(back.get('zsh/.zshrc')).toEqual(s.get('zsh/.zshrc'));
  });

  it('a cut, flipped or foreign file is an error and an empty snapshot, never a partial one', async () => {
    const d = dir();
    const file = join(d, 'snapshot.bin');
    const s = new Snapshot(file);
    for (let i = 0; i < 50; i++) s.set(`p/${i}`, { oid: 'c'.repeat(40), mode: '100644', size: i, mtimeMs: i });
    await s.save();
    const good = readFileSync(file);
    const flipped = Buffer.from(good);
    flipped[200] ^= 1;
    for (const bad of [good.subarray(0, good.length - 7), good.subarray(0, 60), flipped, Buffer.from('{"version":1,"entries":[]}')]) {
      writeFileSync(file, bad);
      const back = new Snapshot(file);
      expect(back.load().error).toMatch(/unreadable .*rebuilding/);
      expect(back.size).toBe(0);
      expect(back.get('p/1')).toBeUndefined();
    }
  });

  it('100,000 entries: a file of about 6 MB that loads whole', async () => {
    const file = join(dir(), 'snapshot.bin');
    const s = new Snapshot(file);
    for (let i = 0; i < 100_000; i++) s.set(`profile/dir${i % 1000}/file-${i}.conf`, { oid: (i.toString(16).padStart(8, '0') + 'f'.repeat(32)).slice(0, 40), mode: '100644', size: i, mtimeMs: 1.7e12 + i });
    await s.save();
    expect(readFileSync(file).length).toBeLessThan(8_000_000);
    const back = new Snapshot(file);
    expect(back.load().error).toBeNull();
    expect(back.size).toBe(100_000);
    expect(back.get('profile/dir7/file-99007.conf')?.size).toBe(99007);
  });

  it('keeps the commit its entries agree with, and forgets entries and commit together on reset', async () => {
    const file = join(dir(), 'snapshot.bin');
    const s = new Snapshot(file);
    expect(s.commit).toBeNull();
    s.set('a', { oid: 'a'.repeat(40), mode: '100644', size: 1, mtimeMs: 1 });
    s.anchorTo('1'.repeat(40));
    await s.save();
    const back = new Snapshot(file);
    expect(back.load().error).toBeNull();
    expect(back.commit).toBe('1'.repeat(40));
    expect(back.get('a')?.oid).toBe('a'.repeat(40));
    // Moving the anchor alone is a change to save.
    back.anchorTo('2'.repeat(40));
    await back.save();
    const moved = new Snapshot(file);
    moved.load();
    expect(moved.commit).toBe('2'.repeat(40));
    // Not a commit id: no anchor.
    moved.anchorTo('HEAD');
    expect(moved.commit).toBeNull();
    moved.anchorTo('2'.repeat(40));
    moved.reset();
    expect(moved.size).toBe(0);
    expect(moved.commit).toBeNull();
    await moved.save();
    const empty = new Snapshot(file);
    expect(empty.load().error).toBeNull();
    expect(empty.size).toBe(0);
    expect(empty.commit).toBeNull();
  });

  it('keeps a dormant mark through save and load; waking clears it; a new record is awake', async () => {
    const file = join(dir(), 'snapshot.bin');
    const s = new Snapshot(file);
    s.set('a', { oid: 'a'.repeat(40), mode: '100644', priv: true, size: 1, mtimeMs: 1 });
    s.set('b', { oid: 'b'.repeat(40), mode: '100755', size: 2, mtimeMs: 2 });
    s.markDormant('a');
    s.markDormant('missing'); // no entry: nothing happens
    await s.save();
    const back = new Snapshot(file);
    expect(back.load().error).toBeNull();
    expect(back.get('a')).toMatchObject({ dormant: true, priv: true, mode: '100644' });
    expect(back.get('b')?.dormant).toBeUndefined();
    expect(back.size).toBe(2);
    back.wake('a');
    expect(back.get('a')?.dormant).toBeUndefined();
    back.markDormant('b');
    back.set('b', { oid: 'c'.repeat(40), mode: '100644', size: 3, mtimeMs: 3 });
    expect(back.get('b')?.dormant).toBeUndefined();
  });

  it('reads a version-2 file (no anchor) and writes it as version 3 at the next save', async () => {
    const file = join(dir(), 'snapshot.bin');
    const s = new Snapshot(file);
    s.set('zsh/.zshrc', { oid: 'd'.repeat(40), mode: '100755', size: 9, mtimeMs: 1700000000123 });
    s.anchorTo('e'.repeat(40));
    await s.save();
    // The same entries as version 2 wrote them: its magic, no anchor, its own checksum.
    const v3 = readFileSync(file);
    const magic = 'confsync-snapshot 3\n'.length;
    expect(v3.subarray(0, magic).toString('latin1')).toBe('confsync-snapshot 3\n');
    const body = Buffer.concat([Buffer.from('confsync-snapshot 2\n', 'latin1'), v3.subarray(magic + 20, v3.length - 20)]);
    writeFileSync(file, Buffer.concat([body, createHash('sha1').update(body).digest()]));
    const old = new Snapshot(file);
    expect(old.load().error).toBeNull();
    expect(old.commit).toBeNull();
    expect(old.get('zsh/.zshrc')).toEqual(s.get('zsh/.zshrc'));
    await old.save();
    expect(readFileSync(file).subarray(0, magic).toString('latin1')).toBe('confsync-snapshot 3\n');
    const again = new Snapshot(file);
    expect(again.load().error).toBeNull();
    expect(again.get('zsh/.zshrc')).toEqual(s.get('zsh/.zshrc'));
  });
});
