/**
 * Parts of the engine that run beside the file sync and are started by the hosts after Engine.open:
 * the Keyboard Maestro poller and the peers hint channel. Each registers its own stop with the engine.
 */
import type { Engine } from './engine.js';
import { startKm } from './km-integration.js';

export async function startPlugins(engine: Engine): Promise<void> {
  await startKm(engine);
  await (await import('./peers/index.js')).startPeers(engine);
}
