import { describe, expect, it } from 'vitest';
import { commitsKeptWords, commitsSummaryWords, latencySummaryWords, refusedHintsWords, watcherLabel } from '../../../renderer/lib/words';

describe('Health words', () => {
  it('the watcher in words, never its raw name', () => {
    expect(watcherLabel('parcel')).toBe('Watching for changes');
    expect(watcherLabel('mixed')).toBe('Watching for changes (some folders by polling)');
    expect(watcherLabel('none')).toBe('Not watching');
  });

  it('hints refused: "None", or how many and why', () => {
    expect(refusedHintsWords({})).toBe('None');
    expect(refusedHintsWords({ stale: 0 })).toBe('None');
    expect(refusedHintsWords({ 'bad-signature': 2, stale: 1 })).toBe('3 (wrong signature: 2, too old: 1)');
    expect(refusedHintsWords({ 'rate-limited': 1200 })).toBe('1,200 (too frequent: 1,200)');
    expect(refusedHintsWords({ 'something-new': 1 })).toBe('1 (something new: 1)');
  });

  it('the charts count with real plurals and separators', () => {
    expect(commitsSummaryWords(1, 1, 1)).toBe('1 commit in this period.');
    expect(commitsSummaryWords(3, 2, 2)).toBe('3 commits in this period; the busiest 10 minutes had 2 commits.');
    expect(commitsSummaryWords(1500, 1, 1500)).toBe('1,500 commits in this period; the busiest 10 minutes had 1 commit.');
    expect(commitsSummaryWords(0, 0, 0)).toBe('No commits in this period.');
    expect(commitsKeptWords(1)).toBe(' Counted from the one activity entry the host keeps.');
    expect(commitsKeptWords(1200)).toBe(' Counted from the 1,200 most recent activity entries the host keeps.');
    expect(commitsKeptWords(0)).toBe('');
    expect(latencySummaryWords(1, '420 ms', '420 ms')).toBe('1 sample; median 420 ms, slowest 420 ms.');
    expect(latencySummaryWords(0, '—', '—')).toBe('No changes were committed in this period.');
  });
});
