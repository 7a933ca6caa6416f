/**
 * The preload as it ships: bundled like scripts/build.mjs does (CJS, browser platform, electron
 * external), then run in a bare VM context with a fake `require` that offers only 'electron' —
 * what a sandboxed preload gets. Proves it stays tiny (no zod), needs no other module, and exposes
 * the named API as `confsync`.
 */
import { describe, expect, it, vi } from 'vitest';
import { build } from 'esbuild';
import { runInNewContext } from 'node:vm';
import { fileURLToPath } from 'node:url';
import { REQUEST_CHANNELS, PUSH_CHANNELS, methodName, listenerName } from '../../../shared/channels';

const root = fileURLToPath(new URL('../../../', import.meta.url));

async function bundlePreload(): Promise<string> {
  const out = await build({
    absWorkingDir: root,
    entryPoints: ['electron/preload.ts'],
    bundle: true,
    write: false,
    format: 'cjs',
    platform: 'browser',
    target: 'chrome120',
    external: ['electron'],
    logLevel: 'silent',
  });
  return out.outputFiles[0].text;
}

describe('preload bundle', () => {
  it('is small and carries no schema library', async () => {
    const code = await bundlePreload();
    expect(code.length).toBeLessThan(8_000);
    expect(code).not.toMatch(/zod|ZodError|safeParse/);
  });

  it('requires only electron and exposes the named API as window.confsync', async () => {
    const code = await bundlePreload();
    const required: string[] = [];
    const exposeInMainWorld = vi.fn();
    const ipcRenderer = { invoke: vi.fn(async () => 'ok'), on: vi.fn(), removeListener: vi.fn() };
    const module = { exports: {} };
    runInNewContext(code, {
      module,
      exports: module.exports,
      require: (id: string) => {
        required.push(id);
        if (id === 'electron') return { contextBridge: { exposeInMainWorld }, ipcRenderer };
        throw new Error(`module not available in a sandboxed preload: ${id}`);
      },
    });
    expect(required).toEqual(['electron']);
    expect(exposeInMainWorld).toHaveBeenCalledOnce();
    const [key, api] = exposeInMainWorld.mock.calls[0] as [string, Record<string, (...a: unknown[]) => unknown>];
    expect(key).toBe('confsync');
    expect(Object.keys(api).sort()).toEqual([...REQUEST_CHANNELS.map(methodName), ...PUSH_CHANNELS.map(listenerName)].sort());
    await api.profilesSetEnabled({ name: 'zsh', enabled: false });
    expect(ipcRenderer.invoke).toHaveBeenCalledWith('profiles:set-enabled', { name: 'zsh', enabled: false });
  });
});
