/**
 * The secrets guard as a feature: a commit guard that looks at content before it reaches the repo. A
 * finding holds that one file back (the rest syncs), is shown in the state with its fingerprint (never
 * the secret), in the activity feed and one notification per finding, and can be allowed by path or
 * fingerprint in settings.
 */
import { checkFile } from '../secrets/index.js';
import { pushActivity } from '../state/app-store.js';
import type { Feature, CommitGuard } from './feature.js';

export function secretsGuard(): CommitGuard {
  const reported = new Set<string>();
  return async (repoPath, content, { settings, store, ports }) => {
    const policy = settings.get().secrets;
    const r = checkFile(repoPath, content, policy);
    const now = Date.now();
    const others = store.getState().secrets.filter((f) => f.path !== repoPath);
    if (!r.blocked) {
      if (others.length !== store.getState().secrets.length) store.setState({ secrets: others });
      return null;
    }
    const findings = r.findings.map((f) => ({ path: repoPath, line: f.line, rule: f.rule, fingerprint: f.fingerprint, at: now }));
    store.setState({ secrets: [...findings, ...others].slice(0, 200) });
    const fresh = r.findings.filter((f) => !reported.has(f.fingerprint));
    if (fresh.length) {
      for (const f of fresh) reported.add(f.fingerprint);
      const words = `${repoPath} not synced: ${fresh.map((f) => `${f.description} on line ${f.line}`).join(', ')}. Encrypt it instead (\`confsync secret add ${repoPath}\`), or allow it in settings (secrets.allowPaths / allowFindings: ${fresh.map((f) => f.fingerprint).join(', ')}) if this is intended.`;
      pushActivity(store, 'secret', words);
      ports.notify({ kind: 'secret', title: 'Secret kept out of sync', body: words, tab: 'health' });
    }
    const what = r.findings.map((f) => `${f.description} on line ${f.line}`).join(', ');
    return `holds a secret (${what}); kept out of the repo until it is removed or allowed (secrets.allowFindings: ${r.findings.map((f) => f.fingerprint).join(', ')}), or encrypt the file instead: \`confsync secret add ${repoPath}\``;
  };
}

export function secretsFeature(): Feature {
  return { name: 'secrets', guards: { commit: [secretsGuard()] } };
}
