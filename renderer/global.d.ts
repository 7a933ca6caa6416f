import type { PreloadBridge } from './api/preload-bridge.js';

declare global {
  interface Window {
    /** Present only in Electron: the preload's narrow, named API (see api/preload-bridge.ts). */
    confsync?: PreloadBridge;
  }
}

export {};
