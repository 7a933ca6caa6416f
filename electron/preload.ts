/**
 * Preload (sandboxed, bundled as CommonJS to dist/main/preload.cjs): exposes the narrow, named-function
 * API built from the channel list as `window.confsync`. Nothing else is exposed.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { buildPreloadApi } from './shell/preload-api.js';

contextBridge.exposeInMainWorld('confsync', buildPreloadApi(ipcRenderer));
