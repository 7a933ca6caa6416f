/**
 * Every test process gets a temp HOME and a temp config dir, so no test can touch the real home
 * directory even by accident. Tests that need their own (several "machines") make more with tmpHome().
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const base = mkdtempSync(join(tmpdir(), 'confsync-test-'));
process.env.HOME = join(base, 'home');
process.env.USERPROFILE = process.env.HOME;
process.env.CONFSYNC_CONFIG_DIR = join(base, 'config');
process.env.XDG_CONFIG_HOME = join(base, 'home', '.config');
process.env.GIT_CONFIG_NOSYSTEM = '1';
// The secrets identity goes to a file in the temp config dir, never a real keychain (a Mac's would be).
process.env.CONFSYNC_KEYCHAIN = 'off';
process.env.GIT_AUTHOR_NAME = 'ConfSync Test';
process.env.GIT_AUTHOR_EMAIL = 'test@confsync.invalid';
process.env.GIT_COMMITTER_NAME = 'ConfSync Test';
process.env.GIT_COMMITTER_EMAIL = 'test@confsync.invalid';
