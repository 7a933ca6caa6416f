/**
 * The measurement child: receives one task from the orchestrator and runs it. Each task's module is
 * imported only when asked for, so a child measuring raw @parcel/watcher loads @parcel/watcher and
 * nothing of the engine (its RSS is the library's, not the suite's).
 */
import type { ChildMsg } from './lib/proc.js';
import { deliverCommand } from './lib/ipc.js';

type Task = (p: never) => Promise<unknown>;

const tasks: Record<string, () => Promise<Task>> = {
  scale: async () => (await import('./sections/scale.child.js')).scaleChild as Task,
  latency: async () => (await import('./sections/latency.child.js')).latencyChild as Task,
  burst: async () => (await import('./sections/burst.child.js')).burstChild as Task,
  pipeline: async () => (await import('./sections/pipeline.child.js')).pipelineChild as Task,
  node: async () => (await import('./sections/ab.child.js')).nodeChild as Task,
  km: async () => (await import('./sections/km.child.js')).kmChild as Task,
  profile: async () => (await import('./sections/profile.child.js')).profileChild as Task,
  procs: async () => (await import('./sections/procs.child.js')).procsChild as Task,
  growth: async () => (await import('./sections/growth.child.js')).growthChild as Task,
};

export function main(): void {
  process.on('disconnect', () => process.exit(0)); // the orchestrator is gone
  process.on('message', (raw) => {
    const m = raw as ChildMsg;
    if (m.type === 'cmd') {
      deliverCommand(m);
      return;
    }
    if (m.type !== 'run') return;
    const load = tasks[m.task ?? ''];
    if (!load) {
      process.send?.({ type: 'error', message: `unknown task ${m.task}` } satisfies ChildMsg);
      return;
    }
    load()
      .then((fn) => fn(m.params as never))
      .then(
        (data) => {
          process.send?.({ type: 'result', data } satisfies ChildMsg, () => process.exit(0));
        },
        (e: unknown) => {
          const err = e as Error;
          process.send?.({ type: 'error', message: err?.message ?? String(e), stack: err?.stack } satisfies ChildMsg, () => process.exit(1));
        },
      );
  });
}
