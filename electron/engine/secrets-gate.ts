/** Before a file is committed, the secrets guard looks at it; a finding blocks that file only. */
import { checkFile } from './secrets/index.js';
import type { SettingsStore } from './config/settings-store.js';
import type { AppStore } from './state/app-store.js';
import { pushActivity } from './state/app-store.js';
import type { HostPorts } from './ports.js';

export class SecretsGate {
  private reported = new Set<string>();

  constructor(
    private readonly settings: SettingsStore,
    private readonly store: AppStore,
    private readonly ports: HostPorts,
  ) {}

  /** True when the content may be committed. */
  async allow(repoPath: string, content: Buffer): Promise<boolean> {
    const policy = this.settings.get().secrets;
    const r = checkFile(repoPath, content, policy);
    const now = Date.now();
    const others = this.store.getState().secrets.filter((f) => f.path !== repoPath);
    if (!r.blocked) {
      if (others.length !== this.store.getState().secrets.length) this.store.setState({ secrets: others });
      return true;
    }
    const findings = r.findings.map((f) => ({ path: repoPath, line: f.line, rule: f.rule, fingerprint: f.fingerprint, at: now }));
    this.store.setState({ secrets: [...findings, ...others].slice(0, 200) });
    const fresh = r.findings.filter((f) => !this.reported.has(f.fingerprint));
    if (fresh.length) {
      for (const f of fresh) this.reported.add(f.fingerprint);
      const words = `${repoPath} not synced: ${fresh.map((f) => `${f.description} on line ${f.line}`).join(', ')}. Allow it in settings (secrets.allowPaths / allowFindings: ${fresh.map((f) => f.fingerprint).join(', ')}) if this is intended.`;
      pushActivity(this.store, 'secret', words);
      this.ports.notify({ kind: 'secret', title: 'Secret kept out of sync', body: words, tab: 'health' });
    }
    return false;
  }
}
