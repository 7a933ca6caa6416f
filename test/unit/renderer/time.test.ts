import { describe, expect, it } from 'vitest';
import { formatBytes, formatCount, formatDuration, formatRelative } from '../../../renderer/lib/time';

const now = new Date(2026, 2, 12, 14, 30, 0).getTime();
const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

describe('formatRelative', () => {
  it.each([
    [null, 'never'],
    [now, 'just now'],
    [now - 9 * S, 'just now'],
    [now - 45 * S, '45 s ago'],
    [now - 2 * M - 10 * S, '2 min ago'],
    [now - 59 * M, '59 min ago'],
    [now - 3 * H, '3 h ago'],
    [now - D - H, 'yesterday'],
    [now - 4 * D, '4 days ago'],
    [now + 2 * S, 'now'],
    [now + 30 * S, 'in 30 s'],
    [now + 4 * M, 'in 4 min'],
    [now + 3 * H, 'in 3 h'],
  ] as const)('%s → %s', (at, words) => {
    expect(formatRelative(at, now)).toBe(words);
  });

  it('gives a date for anything older than a week', () => {
    expect(formatRelative(new Date(2026, 0, 5, 9, 0).getTime(), now)).toBe('5 Jan 2026');
  });
});

describe('formatDuration', () => {
  it.each([
    [null, '—'],
    [0, '0 ms'],
    [850, '850 ms'],
    [1000, '1 s'],
    [1250, '1.3 s'],
    [42_000, '42 s'],
    [125_000, '2 min 5 s'],
    [120_000, '2 min'],
    [3_780_000, '1 h 3 min'],
  ] as const)('%s → %s', (ms, words) => {
    expect(formatDuration(ms)).toBe(words);
  });
});

describe('formatBytes / formatCount', () => {
  it('formats sizes', () => {
    expect(formatBytes(null)).toBe('unknown size');
    expect(formatBytes(1)).toBe('1 byte');
    expect(formatBytes(512)).toBe('512 bytes');
    expect(formatBytes(4300)).toBe('4.2 KB');
    expect(formatBytes(5 * 1024 * 1024)).toBe('5 MB');
    expect(formatBytes(300 * 1024 * 1024)).toBe('300 MB');
  });
  it('groups thousands', () => {
    expect(formatCount(0)).toBe('0');
    expect(formatCount(1234)).toBe('1,234');
    expect(formatCount(1234567)).toBe('1,234,567');
  });
});
