/**
 * The folder rules are enforced by lint (eslint.config.js): these probes prove each rule bites, so a
 * rule that silently stops matching (a pattern typo, a moved folder) fails here.
 */
import { describe, it, expect } from 'vitest';
import { ESLint } from 'eslint';

const eslint = new ESLint({ cwd: process.cwd() });

async function errors(file: string, code: string): Promise<string[]> {
  const [r] = await eslint.lintText(code, { filePath: file });
  return r.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layer rules', () => {
  it('electron is imported only by the shell, main.ts and preload.ts', async () => {
    expect(await errors('electron/engine/x.ts', "import { app } from 'electron'; export const a = app;")).toHaveLength(1);
    expect(await errors('electron/cli/x.ts', "import { app } from 'electron'; export const a = app;")).toHaveLength(1);
    expect(await errors('electron/shell/x.ts', "import { app } from 'electron'; export const a = app;")).toHaveLength(0);
  });

  it('git/ imports only its runner, util/ and shared/', async () => {
    expect(await errors('electron/engine/git/x.ts', "import { a } from '../mirror/live.js'; export const b = a;")).toHaveLength(1);
    expect(await errors('electron/engine/git/x.ts', "import { a } from '../sync/rule.js'; export const b = a;")).toHaveLength(1);
    expect(await errors('electron/engine/git/x.ts', "import { a } from './runner.js'; import { f } from '../util/fault.js'; import { s } from '../../../shared/state.js'; export const b = [a, f, s];")).toHaveLength(0);
  });

  it('sync/ never imports features, the API or the engine facade', async () => {
    for (const m of ['../features/km.js', '../api.js', '../handlers.js', '../engine.js', '../km/index.js']) {
      expect(await errors('electron/engine/sync/x.ts', `import { a } from '${m}'; export const b = a;`), m).toHaveLength(1);
    }
    expect(await errors('electron/engine/sync/x.ts', "import { a } from './rule.js'; import { g } from '../git/tree.js'; export const b = [a, g];")).toHaveLength(0);
  });

  it('the engine never imports cli/, shell/ or the host root', async () => {
    for (const m of ['../cli/daemon.js', '../shell/tray.js', '../host.js']) {
      expect(await errors('electron/engine/x.ts', `import { a } from '${m}'; export const b = a;`), m).toHaveLength(1);
    }
  });

  it('the renderer never reaches Node or engine code', async () => {
    expect(await errors('renderer/x.ts', "import { readFileSync } from 'node:fs'; export const r = readFileSync;")).toHaveLength(1);
    expect(await errors('renderer/x.ts', "import { Engine } from '../electron/engine/engine.js'; export const e = Engine;")).toHaveLength(1);
  });
});
