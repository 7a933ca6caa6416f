/**
 * How Node runs ConfSync's own processes (the headless daemon and the CLI): the same settings in
 * bin/confsync.mjs's first line (for `confsync …` from a shell), in the service files `confsync service
 * install` writes (which start node directly), and in the bench's children, so the bench measures what
 * people run. A test holds the three together.
 *
 * Both settings are about memory at rest after a burst (a 100k-file first run), measured by hand with
 * heaptrack, smaps and gdb's malloc_stats (docs/architecture.md, Memory):
 * - `--max-semi-space-size=4`: V8's young generation may grow to 2 × 16 MB under a burst of
 *   allocation, and stays committed afterwards; 4 MB semi-spaces cost no measurable time here.
 * - `--memory-reducer-single-gc`: some seconds after a burst V8's memory reducer shrinks the heap with
 *   up to three full collections; one does most of it. At 100k files, after a restart: 81 ms of CPU
 *   instead of 180 ms, for 5 MB more RSS.
 * - `GLIBC_TUNABLES=glibc.malloc.mmap_threshold=131072`: glibc's default threshold, fixed. glibc
 *   otherwise raises it (up to 32 MB, and its trim threshold to twice that) each time a large block is
 *   freed, after which blocks of up to that size come from the main heap and are kept there once freed:
 *   75 MB of a 100k first run's 280 MB, returned only by malloc_trim, which Node does not call. Only
 *   glibc reads it (Linux); macOS's allocator and Electron's (its own, Chromium's) do not.
 */
export const NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4', '--memory-reducer-single-gc'];

export const GLIBC_TUNABLES = 'glibc.malloc.mmap_threshold=131072';

/** The environment those processes get on `platform` (nothing outside Linux). */
export function runtimeEnv(platform: NodeJS.Platform): Record<string, string> {
  return platform === 'linux' ? { GLIBC_TUNABLES } : {};
}
