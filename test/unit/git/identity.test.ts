/** The runner's commit identity: an exported but empty GIT_AUTHOR_NAME / GIT_COMMITTER_NAME counts as unset. */
import { afterEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GitRunner } from '../../../electron/engine/git/runner';

const saved = { ...process.env };
afterEach(() => {
  for (const k of ['GIT_AUTHOR_NAME', 'GIT_COMMITTER_NAME', 'GIT_AUTHOR_EMAIL', 'GIT_COMMITTER_EMAIL']) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
});

describe('commit identity', () => {
  it('commits as ConfSync when the person exported empty identity variables', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cs-ident-'));
    execFileSync('git', ['init', '-q', dir]);
    writeFileSync(join(dir, 'f'), 'x');
    process.env.GIT_AUTHOR_NAME = '';
    process.env.GIT_COMMITTER_NAME = ' ';
    process.env.GIT_AUTHOR_EMAIL = 'ann@example.com';
    const git = new GitRunner({ dir, identity: { name: 'ConfSync (laptop-a)', email: 'confsync@laptop-a.invalid' } });
    await git.raw(['add', 'f']);
    await git.raw(['commit', '-qm', 'one']);
    const who = execFileSync('git', ['-C', dir, 'log', '-1', '--format=%an|%ae|%cn'], { encoding: 'utf8' }).trim();
    // The empty names are replaced; the person's own email is kept.
    expect(who).toBe('ConfSync (laptop-a)|ann@example.com|ConfSync (laptop-a)');
  });
});
