/**
 * build/electron-builder.yml and build/entitlements.mac.plist, checked without building (electron-builder
 * needs Electron's binaries, which cannot be downloaded here):
 *
 * - the config passes electron-builder's own schema validation (so a misspelled or misplaced key, e.g.
 *   `electronFuse` or `notarize` under the wrong platform, fails here rather than at release time);
 * - the fuses are what we want AFTER electron-builder's own mapping to @electron/fuses (the code that
 *   flips them when packaging), not just the strings in the YAML;
 * - notarization is on, the GitHub publish config is there, and the entitlements are exactly the
 *   needed ones (the plist explains each).
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import plist from 'plist';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const require = createRequire(import.meta.url);

// js-yaml comes with electron-updater (a production dependency); app-builder-lib with electron-builder.
const yaml = require('js-yaml') as { load(text: string): unknown };
const { validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as {
  validateConfiguration(config: unknown, debugLogger: { isEnabled: boolean; add(key: string, value: unknown): void }): Promise<void>;
};
const { PlatformPackager } = require('app-builder-lib') as {
  PlatformPackager: { prototype: { generateFuseConfig(fuses: unknown): Promise<Record<string | number, unknown>> } };
};

interface BuilderConfig {
  appId: string;
  asar: boolean;
  electronFuses: Record<string, boolean>;
  publish: { provider: string; owner?: string; repo?: string; releaseType?: string };
  mac: { hardenedRuntime: boolean; notarize: unknown; entitlements: string; entitlementsInherit: string; extendInfo: Record<string, unknown> };
}

const configText = readFileSync(join(root, 'build', 'electron-builder.yml'), 'utf8');
const config = yaml.load(configText) as BuilderConfig;
const noDebug = { isEnabled: false, add() {} };

describe('build/electron-builder.yml', () => {
  it("passes electron-builder's own schema validation", async () => {
    await expect(validateConfiguration(config, noDebug)).resolves.toBeUndefined();
  });

  it('the schema check is real: a misspelled key or a wrong type is refused', async () => {
    await expect(validateConfiguration({ ...config, electronFuse: { runAsNode: false } }, noDebug)).rejects.toThrow(/electronFuse/);
    await expect(validateConfiguration({ ...config, electronFuses: { ...config.electronFuses, runAsnode: false } }, noDebug)).rejects.toThrow(/electronFuses/);
    await expect(validateConfiguration({ ...config, mac: { ...config.mac, notarize: { teamId: 'X' } } }, noDebug)).rejects.toThrow(/notarize/);
  });

  describe('fuses, as electron-builder hands them to @electron/fuses', async () => {
    const { FuseV1Options, FuseVersion } = (await import('@electron/fuses')) as typeof import('@electron/fuses');
    const flipped = await PlatformPackager.prototype.generateFuseConfig(config.electronFuses);

    it('is a V1 fuse config', () => {
      expect(flipped.version).toBe(FuseVersion.V1);
    });

    it.each([
      ['RunAsNode', false, 'ELECTRON_RUN_AS_NODE would make the signed binary a plain Node'],
      ['EnableNodeOptionsEnvironmentVariable', false, 'NODE_OPTIONS could inject code into the main process'],
      ['EnableNodeCliInspectArguments', false, '--inspect would attach a debugger to the main process'],
      ['EnableCookieEncryption', true, 'cookies on disk encrypted with the OS keychain'],
      ['EnableEmbeddedAsarIntegrityValidation', true, 'app.asar must match the hash in the signed bundle'],
      ['OnlyLoadAppFromAsar', true, 'no loose app/ folder instead of the validated asar'],
      ['GrantFileProtocolExtraPrivileges', false, 'pages come from app://, file:// needs no extra powers'],
    ] as const)('%s = %s (%s)', (fuse, value, why) => {
      expect(flipped[FuseV1Options[fuse]], why).toBe(value);
    });

    it('integrity validation has an asar to validate', () => {
      expect(config.asar).toBe(true);
    });
  });

  it('publishes to GitHub Releases (the feed electron-updater reads)', () => {
    expect(config.publish).toMatchObject({ provider: 'github' });
  });

  it('macOS: hardened runtime, explicit notarization, the checked-in entitlements', () => {
    expect(config.mac.hardenedRuntime).toBe(true);
    expect(config.mac.notarize).toBe(true);
    expect(config.mac.entitlements).toBe('build/entitlements.mac.plist');
    expect(config.mac.entitlementsInherit).toBe('build/entitlements.mac.plist');
    expect(existsSync(join(root, config.mac.entitlements))).toBe(true);
    // The Apple Events entitlement is useless (and the prompt refused) without a usage description.
    expect(config.mac.extendInfo.NSAppleEventsUsageDescription).toEqual(expect.stringMatching(/Keyboard Maestro/));
  });
});

describe('build/entitlements.mac.plist', () => {
  const entitlements = plist.parse(readFileSync(join(root, 'build', 'entitlements.mac.plist'), 'utf8')) as Record<string, unknown>;

  it('grants exactly JIT (V8) and Apple Events (Keyboard Maestro import), nothing broader', () => {
    expect(entitlements).toEqual({
      'com.apple.security.cs.allow-jit': true,
      'com.apple.security.automation.apple-events': true,
    });
  });

  it('the broad exceptions are gone', () => {
    for (const key of [
      'com.apple.security.cs.disable-library-validation',
      'com.apple.security.cs.allow-unsigned-executable-memory',
      'com.apple.security.cs.disable-executable-page-protection',
      'com.apple.security.cs.allow-dyld-environment-variables',
      'com.apple.security.get-task-allow',
    ]) {
      expect(entitlements, key).not.toHaveProperty([key]);
    }
  });
});
