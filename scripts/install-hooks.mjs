#!/usr/bin/env node
// Points git at .githooks (the secrets guard runs before each commit). Silent outside a git checkout.
import { execFileSync } from 'node:child_process';
try {
  execFileSync('git', ['rev-parse', '--is-inside-work-tree'], { stdio: 'ignore' });
  execFileSync('git', ['config', 'core.hooksPath', '.githooks'], { stdio: 'ignore' });
} catch {
  /* not a git checkout (e.g. an installed package): nothing to do */
}
