/** A full pass reports "N of M files": the walk's count first (total unknown), then files looked at against the total. */
import { afterEach, describe, expect, it } from 'vitest';
import { Machine } from '../../helpers/machine';

const open: Machine[] = [];
afterEach(async () => {
  for (const m of open.splice(0)) await m.stop();
});

describe('scan progress', () => {
  it('the first scan has a real total while it reads the files, and ends with all of them', async () => {
    const m = new Machine('laptop-a', { profiles: [] });
    open.push(m);
    for (let i = 0; i < 300; i++) m.write(`notes/n${i}.txt`, `note ${i}\n`);
    await m.open();
    await m.invoke('profiles:save', { profile: { name: 'notes', paths: ['~/notes/'] } });
    const seen: { running: boolean; scanned: number; total: number }[] = [];
    const unsub = m.engine.store.subscribe((s) => {
      const last = seen[seen.length - 1];
      if (!last || last.running !== s.scan.running || last.scanned !== s.scan.scanned || last.total !== s.scan.total) seen.push({ ...s.scan });
    });
    await m.invoke('profiles:set-enabled', { name: 'notes', enabled: true });
    await m.sync();
    unsub();
    // While walking: counts with no total yet; then a total with fewer looked at; at the end, all.
    expect(seen.some((x) => x.running && x.total === 0 && x.scanned > 0)).toBe(true);
    expect(seen.some((x) => x.running && x.total >= 300 && x.scanned < x.total)).toBe(true);
    const end = seen[seen.length - 1]!;
    expect(end.running).toBe(false);
    expect(end.scanned).toBe(end.total);
    expect(end.total).toBeGreaterThanOrEqual(300);
  });
});
