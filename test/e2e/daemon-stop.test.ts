/**
 * `confsync daemon` on SIGTERM/SIGINT flushes what it has seen: an edit made just before the signal is
 * committed before the process exits (code 0).
 */
import { describe, it, expect } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemon } from '../helpers/daemon.js';
import { git, waitFor } from '../helpers/machine.js';

describe('daemon stop', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal} flushes a pending edit before exiting`, async () => {
      const d = await startDaemon({
        settings: { hostName: 'stopper', enabledProfiles: ['zsh'], sync: { debounceMs: 5000, maxWaitMs: 60000 } },
        files: { '.zshrc': 'v1\n' },
      });
      const repo = join(d.configDir, 'repo');
      await waitFor(() => git(repo, 'show', 'HEAD:zsh/.zshrc') === 'v1\n', 'initial commit');
      writeFileSync(join(d.home, '.zshrc'), `edited before ${signal}\n`);
      // The 5 s debounce means nothing is committed yet; wait until the watcher has seen the edit.
      await waitFor(async () => (await fetch(`http://127.0.0.1:${d.port}/health?token=${d.token}`)).ok && /"phase"/.test(await (await fetch(`http://127.0.0.1:${d.port}/health?token=${d.token}`)).text()), 'health');
      await new Promise((r) => setTimeout(r, 500));
      expect(git(repo, 'show', 'HEAD:zsh/.zshrc')).toBe('v1\n');
      const code = await d.stop(signal);
      expect(code).toBe(0);
      expect(d.out()).toContain('confsync: stopped');
      expect(git(repo, 'show', 'HEAD:zsh/.zshrc')).toBe(`edited before ${signal}\n`);
    });
  }
});
