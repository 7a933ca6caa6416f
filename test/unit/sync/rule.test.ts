/**
 * The pure sync rule: an exhaustive table over every combination of kind (absent, file, link, folder),
 * content and mode for B, L and R, plus property tests (fast-check) of what the rule promises:
 * nothing a side changed is dropped, the result converges, a machine that never synced a path defers
 * to the repo, a link never silently replaces a file, and a folder always wins its path.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { decide, same, mergeMode, describeDecision, type Version, type Decision, type RuleInput } from '../../../electron/engine/sync/rule.js';

const A: Version = { kind: 'absent' };
const D: Version = { kind: 'dir' };
const f = (oid: string, extra: Partial<Version> = {}): Version => ({ kind: 'file', oid, ...extra });
const l = (oid: string): Version => ({ kind: 'link', oid });

/** Every version a path can hold, over a small alphabet of contents. */
const versions: Version[] = [A, D, f('1'), f('2'), f('3'), f('1', { exec: true }), f('1', { private: true }), l('1'), l('2')];

/** What the path (and a copy beside it) holds after the decision is carried out; null: unchanged/held. */
function outcome(i: RuleInput, d: Decision): { path: Version; copy: Version | null; deletedSide: Version | null } | null {
  const { local: L, remote: R } = i;
  switch (d.action) {
    case 'none':
      return { path: L.kind === 'dir' || R.kind === 'dir' ? (L.kind === 'dir' ? L : R) : L, copy: null, deletedSide: null };
    case 'take-remote':
      return { path: R, copy: null, deletedSide: null };
    case 'take-local':
      return { path: L, copy: null, deletedSide: null };
    case 'merge':
      return { path: { kind: L.kind, oid: `merge(${L.oid},${R.oid})` }, copy: null, deletedSide: null };
    case 'conflict': {
      const keep = d.keep === 'local' ? L : R;
      const other = d.keep === 'local' ? R : L;
      return d.other === 'copy' ? { path: keep, copy: other, deletedSide: null } : { path: keep, copy: null, deletedSide: other };
    }
    case 'hold':
      return null;
  }
}

const inputs: RuleInput[] = [];
for (const base of versions.filter((v) => v.kind !== 'dir')) for (const local of versions) for (const remote of versions) inputs.push({ base, local, remote });

describe('decide: table', () => {
  const row = (base: Version, local: Version, remote: Version, extra: Partial<RuleInput> = {}) => decide({ base, local, remote, ...extra });

  it('the basic three-version cases', () => {
    expect(row(f('1'), f('1'), f('1'))).toEqual({ action: 'none' });
    expect(row(f('1'), f('1'), f('2'))).toEqual({ action: 'take-remote' });
    expect(row(f('1'), f('2'), f('1'))).toEqual({ action: 'take-local' });
    expect(row(f('1'), f('2'), f('3'))).toMatchObject({ action: 'merge', fallback: { keep: 'local', other: 'copy' } });
    expect(row(f('1'), f('2'), f('2'))).toEqual({ action: 'none' });
  });

  it('new and deleted paths', () => {
    expect(row(A, f('1'), A)).toEqual({ action: 'take-local' });
    expect(row(A, A, f('1'))).toEqual({ action: 'take-remote' });
    expect(row(f('1'), A, f('1'))).toEqual({ action: 'take-local' }); // deleted here
    expect(row(f('1'), f('1'), A)).toEqual({ action: 'take-remote' }); // deleted there
    expect(row(f('1'), A, A)).toEqual({ action: 'none' });
  });

  it('delete vs modify keeps the modified version (policy 4)', () => {
    expect(row(f('1'), A, f('2'))).toEqual({ action: 'conflict', keep: 'remote', other: 'deleted', why: 'delete-vs-modify' });
    expect(row(f('1'), f('2'), A)).toEqual({ action: 'conflict', keep: 'local', other: 'deleted', why: 'delete-vs-modify' });
  });

  it('a link chosen in a resolution is applied as chosen (no new conflict)', () => {
    expect(row(f('1'), f('1'), l('1'), { remoteChosen: true })).toEqual({ action: 'take-remote' });
  });

  it('first meeting with the same content and another mode is no conflict: the repo\'s record stands', () => {
    expect(row(A, f('1', { private: true }), f('1'))).toEqual({ action: 'take-remote' });
    expect(row(A, f('1'), f('1', { exec: true }))).toEqual({ action: 'take-remote' });
  });

  it('first meeting defers to the repo (policy 2)', () => {
    expect(row(A, f('1'), f('2'))).toEqual({ action: 'conflict', keep: 'remote', other: 'copy', why: 'first-meeting' });
    expect(row(A, l('1'), f('2'))).toMatchObject({ keep: 'remote', why: 'first-meeting' });
    expect(row(A, f('1'), f('1'))).toEqual({ action: 'none' });
  });

  it('modes are part of the version', () => {
    expect(row(f('1'), f('1'), f('1', { private: true }))).toEqual({ action: 'take-remote' });
    expect(row(f('1'), f('1', { exec: true }), f('1'))).toEqual({ action: 'take-local' });
    expect(row(f('1'), f('1', { exec: true }), f('1', { private: true }))).toMatchObject({ action: 'merge' });
    expect(mergeMode(f('1'), f('1', { exec: true }), f('1', { private: true }))).toEqual({ exec: true, private: true });
    expect(mergeMode(f('1', { exec: true }), f('1', { exec: true }), f('1'))).toEqual({ exec: false, private: false });
  });

  it('links (policy 5)', () => {
    expect(row(f('1'), f('1'), l('1'))).toEqual({ action: 'conflict', keep: 'remote', other: 'copy', why: 'link-over-file' });
    expect(row(l('1'), l('1'), f('1'))).toEqual({ action: 'take-remote' }); // a file may replace a link
    expect(row(l('1'), l('1'), l('2'))).toEqual({ action: 'take-remote' });
    expect(row(f('1'), f('2'), l('1'))).toMatchObject({ action: 'conflict', keep: 'local', other: 'copy', why: 'kind-change' });
  });

  it('folders win their path (policy 1)', () => {
    expect(row(f('1'), D, f('1'))).toEqual({ action: 'take-local' }); // this machine made the file a folder
    expect(row(f('1'), f('1'), D)).toEqual({ action: 'take-remote' }); // the other side did
    expect(row(f('1'), D, f('2'))).toEqual({ action: 'conflict', keep: 'local', other: 'copy', why: 'kind-change' });
    expect(row(f('1'), f('2'), D)).toEqual({ action: 'conflict', keep: 'remote', other: 'copy', why: 'kind-change' });
    expect(row(A, D, A)).toEqual({ action: 'none' });
    expect(row(f('1'), D, A)).toEqual({ action: 'none' });
    expect(row(A, D, D)).toEqual({ action: 'none' });
  });

  it('holds (policy 6): a version that cannot cross never moves, and is never overwritten', () => {
    expect(row(f('1'), f('2'), f('1'), { localHeld: 'not valid JSON' })).toEqual({ action: 'hold', side: 'local', reason: 'not valid JSON' });
    expect(row(f('1'), f('2'), f('3'), { localHeld: 'secret' })).toEqual({ action: 'hold', side: 'local', reason: 'secret' });
    expect(row(f('1'), f('1'), f('3'), { remoteHeld: 'larger than 5 MB' })).toEqual({ action: 'hold', side: 'remote', reason: 'larger than 5 MB' });
    // A held local version that equals the synced one holds nothing back: the remote's edit applies.
    expect(row(f('1'), f('1'), f('3'), { localHeld: 'secret' })).toEqual({ action: 'take-remote' });
    expect(row(A, f('1'), f('2'), { localHeld: 'a', remoteHeld: 'b' })).toEqual({ action: 'hold', side: 'both', reason: 'a; b' });
  });

  it('every decision has words', () => {
    for (const i of inputs) expect(describeDecision(decide(i))).toMatch(/\w/);
  });
});

// ------------------------------------------------------------------------------ properties

const arbContent = fc.constantFrom('1', '2', '3');
const arbVersion: fc.Arbitrary<Version> = fc.oneof(
  fc.constant(A),
  fc.constant(D),
  fc.record({ kind: fc.constant('file' as const), oid: arbContent, exec: fc.boolean(), private: fc.boolean() }),
  fc.record({ kind: fc.constant('link' as const), oid: arbContent }),
);
const arbBase = arbVersion.filter((v) => v.kind !== 'dir'); // a snapshot or a merge base never records a folder
const arbHeld = fc.option(fc.constantFrom('invalid', 'secret', 'too large'), { nil: null });
const arbInput = fc.record({ base: arbBase, local: arbVersion, remote: arbVersion, localHeld: arbHeld, remoteHeld: arbHeld });

describe('decide: properties', () => {
  it('nothing a side changed is dropped: it wins the path, is merged, goes beside as a copy, or is held', () => {
    fc.assert(
      fc.property(arbInput, (i) => {
        const d = decide(i);
        const o = outcome(i, d);
        for (const side of ['local', 'remote'] as const) {
          const v = i[side];
          if (same(v, i.base) || v.kind === 'absent' || v.kind === 'dir') continue;
          if (!o) continue; // held: nothing moved, both stay where they are
          // Policy 2 for the same content met with another mode: the content is kept, the repo's mode stands.
          const sameContentFirstMeeting = i.base.kind === 'absent' && o.path.kind === 'file' && v.kind === 'file' && o.path.oid === v.oid;
          const kept = d.action === 'merge' || same(o.path, v) || (o.copy !== null && same(o.copy, v)) || sameContentFirstMeeting;
          expect(kept, `${side} ${JSON.stringify(v)} dropped by ${JSON.stringify(d)} for ${JSON.stringify(i)}`).toBe(true);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('a deletion only loses to an edit, and only with a record of it', () => {
    fc.assert(
      fc.property(arbInput, (i) => {
        const d = decide(i);
        if (d.action === 'conflict' && d.other === 'deleted') expect((d.keep === 'local' ? i.remote : i.local).kind).toBe('absent');
        if (d.action === 'take-remote' && i.remote.kind === 'absent') expect(same(i.local, i.base)).toBe(true);
        if (d.action === 'take-local' && i.local.kind === 'absent') expect(same(i.remote, i.base)).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('converges: after the decision, deciding again over the result is "none"', () => {
    fc.assert(
      fc.property(arbInput, (i) => {
        const d = decide(i);
        const o = outcome(i, d);
        if (!o || d.action === 'merge') return;
        const v = o.path;
        const base = v.kind === 'dir' ? A : v;
        expect(decide({ base, local: v, remote: v })).toEqual({ action: 'none' });
      }),
      { numRuns: 2000 },
    );
  });

  it('a path this machine never synced never changes the repo (policy 2), folders aside', () => {
    fc.assert(
      fc.property(arbInput, (i) => {
        fc.pre(i.base.kind === 'absent' && i.remote.kind !== 'absent' && i.local.kind !== 'dir');
        const d = decide(i);
        expect(['none', 'take-remote', 'hold', 'conflict']).toContain(d.action);
        if (d.action === 'conflict') expect(d.keep).toBe('remote');
      }),
      { numRuns: 2000 },
    );
  });

  it('a link never replaces a regular file without a conflict', () => {
    fc.assert(
      fc.property(arbInput, (i) => {
        const d = decide(i);
        if (i.local.kind === 'file' && i.remote.kind === 'link' && d.action === 'take-remote') throw new Error(`link replaced a file: ${JSON.stringify(i)}`);
      }),
      { numRuns: 3000 },
    );
  });

  it('a folder always keeps its path', () => {
    fc.assert(
      fc.property(arbInput, (i) => {
        const d = decide(i);
        const o = outcome(i, d);
        if ((i.local.kind === 'dir' || i.remote.kind === 'dir') && o) expect(o.path.kind === 'dir' || (o.path.kind === 'absent' && d.action !== 'conflict')).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('a held version is never overwritten and never sent', () => {
    fc.assert(
      fc.property(arbInput, (i) => {
        const d = decide(i);
        const modeOnly = i.local.kind === 'file' && i.remote.kind === 'file' && i.local.oid === i.remote.oid;
        if (i.localHeld && !modeOnly && !same(i.local, i.base) && i.local.kind !== 'dir' && i.local.kind !== 'absent') {
          // L has an unsynced edit that cannot leave: it is neither sent nor replaced.
          expect(['hold', 'none']).toContain(d.action);
        }
        if (i.remoteHeld && !same(i.remote, i.base) && i.remote.kind !== 'dir' && i.remote.kind !== 'absent') {
          // R cannot be written here: it neither takes the path nor lands beside it.
          expect(['hold', 'none']).toContain(d.action);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('swapping the machines swaps who takes what', () => {
    fc.assert(
      fc.property(arbInput, (i) => {
        const d = decide({ base: i.base, local: i.local, remote: i.remote });
        const e = decide({ base: i.base, local: i.remote, remote: i.local });
        const modeOnlyFirstMeeting = i.base.kind === 'absent' && i.local.kind === 'file' && i.remote.kind === 'file' && i.local.oid === i.remote.oid;
        if (d.action === 'take-remote' && !modeOnlyFirstMeeting) expect(e.action === 'take-local' || e.action === 'conflict').toBe(true);
        if (d.action === 'none') expect(e.action).toBe('none');
      }),
      { numRuns: 2000 },
    );
  });
});
