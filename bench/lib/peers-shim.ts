/**
 * The peers hint channel, if the engine has it. bench/build-and-run.mjs swaps this module for a stub
 * exporting `startPeers = null` when electron/engine/peers/ does not exist, so the suite still builds
 * and reports "hints on" as TODO.
 */
export { startPeers } from '../../electron/engine/peers/index.js';
