/** Who last changed a path, from the `ConfSync-Host:` trailer of the last commit that touched it. */
import type { GitRunner } from './runner.js';

/** Never "unknown": a path with no commit is named after "another machine". */
export async function lastTouch(git: GitRunner, rev: string, path: string): Promise<{ host: string; at: number | null }> {
  try {
    const out = (await git.raw(['log', '-1', '--format=%ct%x1f%an%x1f%(trailers:key=ConfSync-Host,valueonly,separator=%x2C)', rev, '--', path], { readonly: true })).trim();
    if (!out) return { host: 'another machine', at: null };
    const [ct, an, host] = out.split('\x1f');
    const h = (host || '').trim() || an.replace(/^ConfSync \((.*)\)$/, '$1') || 'another machine';
    return { host: h, at: Number(ct) * 1000 };
  } catch {
    return { host: 'another machine', at: null };
  }
}
