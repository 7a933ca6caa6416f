/**
 * Setting up syncing on a machine with no remote (preferences, Repository; the popover's "Set up
 * syncing" leads here), in three steps:
 *
 * 1. The address: paste a URL, or the path of a repository on this machine or a disk, and Test it
 *    (repo:test-connection with the typed address; nothing is saved). A test that fails says what is
 *    wrong and what to do about it.
 * 2. The preview (sync:preview): the profiles with files in the repo (which are turned on, which are
 *    in the repo but not found here, each with one click to turn it on or leave it off), and every file
 *    grouped by what applying does to it, with counts and its diff on request (sync:diff {path}).
 *    The engine previews the typed address without saving it (sync:preview {url, branch}), so
 *    nothing (no setting, file or commit) changes until Apply; Cancel only leaves the flow.
 * 3. Apply: saves the address if it is not saved yet, then sync:join with the chosen profiles, and
 *    shows the result.
 */
import { useId, useMemo, useRef, useState, type FormEvent } from 'react';
import type { SyncPreview, TestConnectionResult } from '../../shared/contract.js';
import { isSuccess } from '../../shared/meanings.js';
import type { Settings } from '../../shared/settings.js';
import type { SyncResult } from '../../shared/state.js';
import { useAction, useApi } from '../context.js';
import { ActionStatus, FieldError, Note, SyncResultView } from '../components/common.js';
import { Spinner } from '../components/icons.js';
import { PreviewFile } from '../components/PreviewFile.js';
import {
  initialChoice,
  joinProfiles,
  leftOffProfiles,
  previewGroups,
  previewSummary,
  setupProfileWords,
  setupTestWords,
  testAllowsPreview,
  testDetailWords,
  type PreviewGroup,
} from '../lib/setup-words.js';

type Step = 'address' | 'preview' | 'applied';
type Remote = { url: string | null; branch: string };

export function SetupFlow({ settings, onSettings, onClose }: { settings: Settings; onSettings(s: Settings): void; onClose(): void }) {
  const api = useApi();
  const ids = useId();
  const [url, setUrl] = useState(settings.remote.url ?? '');
  const [branch, setBranch] = useState(settings.remote.branch);
  const [urlError, setUrlError] = useState<string | null>(null);
  const [step, setStep] = useState<Step>('address');
  // The remote as it was before this flow saved one (Cancel puts it back); null: nothing saved yet.
  const [before, setBefore] = useState<Remote | null>(null);
  const [chosen, setChosen] = useState<ReadonlySet<string>>(new Set());
  const [testedUrl, setTestedUrl] = useState<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);

  const test = useAction(async (u: string) => {
    const r = await api.invoke('repo:test-connection', { url: u });
    setTestedUrl(u);
    return r;
  });

  /** Saves the typed remote when the saved one differs; remembers what it replaced (once). */
  const saveRemote = async (): Promise<void> => {
    const want: Remote = { url: url.trim(), branch: branch.trim() || 'main' };
    if (settings.remote.url === want.url && settings.remote.branch === want.branch) return;
    const s = await api.invoke('settings:update', { patch: { remote: want } });
    if (!before) setBefore({ url: settings.remote.url, branch: settings.remote.branch });
    onSettings(s);
  };

  const target = { url: url.trim(), branch: branch.trim() || 'main' };
  const preview = useAction(async (): Promise<SyncPreview> => {
    const p = await api.invoke('sync:preview', target);
    setChosen(initialChoice(p.profiles));
    return p;
  });
  const apply = useAction(async (profiles: string[]): Promise<SyncResult> => {
    await saveRemote();
    const r = await api.invoke('sync:join', { profiles });
    setStep('applied');
    return r;
  });
  const cancel = useAction(async (): Promise<'restored' | 'nothing'> => {
    if (!before) return 'nothing';
    const s = await api.invoke('settings:update', { patch: { remote: before } });
    onSettings(s);
    setBefore(null);
    return 'restored';
  });

  const trimmed = url.trim();
  const tested = test.state.status === 'done' && testedUrl === trimmed ? test.state.result : null;

  const onTest = (e: FormEvent) => {
    e.preventDefault();
    if (!trimmed) {
      setUrlError('Enter the address of a repository, or the path of one on this machine or a disk.');
      return;
    }
    setUrlError(null);
    void test.run(trimmed);
  };

  const onPreview = async () => {
    setStep('preview');
    apply.reset();
    cancel.reset();
    await preview.run();
  };

  const onCancel = async () => {
    const r = await cancel.run();
    if (r) {
      setStep('address');
      preview.reset();
      apply.reset();
      heading.current?.focus();
    }
  };

  const p = preview.state.status === 'done' ? preview.state.result : null;
  const busy = test.running || preview.running || apply.running || cancel.running;

  return (
    <section className="setup" aria-labelledby={`${ids}-h`} data-testid="setup-flow" data-step={step}>
      <h3 id={`${ids}-h`} ref={heading} tabIndex={-1}>
        Set up syncing
      </h3>
      <ol className="steps" aria-label="Steps">
        <li aria-current={step === 'address' ? 'step' : undefined}>Choose the repository</li>
        <li aria-current={step === 'preview' ? 'step' : undefined}>See what happens here</li>
        <li aria-current={step === 'applied' ? 'step' : undefined}>Apply</li>
      </ol>

      <form className="form" onSubmit={onTest} noValidate>
        <div className="field">
          <label htmlFor={`${ids}-url`}>Repository address</label>
          <input
            id={`${ids}-url`}
            type="text"
            inputMode="url"
            spellCheck={false}
            autoComplete="off"
            placeholder="git@github.com:me/dotfiles.git"
            value={url}
            readOnly={step !== 'address'}
            onChange={(e) => {
              setUrl(e.target.value);
              setUrlError(null);
            }}
            aria-invalid={!!urlError}
            aria-describedby={`${ids}-url-help ${ids}-url-err`}
            data-testid="setup-url"
          />
          <p className="help" id={`${ids}-url-help`} data-testid="setup-url-help">
            Paste the address of your dotfiles repository (<code>git@github.com:me/dotfiles.git</code>, <code>https://…</code>), or the path of one on this machine
            or a disk (<code>/Volumes/Backup/dotfiles.git</code>). An empty repository works too: this machine then fills it.
          </p>
          <FieldError id={`${ids}-url-err`} msg={urlError ?? undefined} testId="setup-error-url" />
        </div>
        <div className="field">
          <label htmlFor={`${ids}-branch`}>Branch</label>
          <input
            id={`${ids}-branch`}
            className="narrow"
            spellCheck={false}
            value={branch}
            readOnly={step !== 'address'}
            onChange={(e) => setBranch(e.target.value)}
            data-testid="setup-branch"
          />
        </div>
        {step === 'address' && (
          <div className="button-row">
            <button type="submit" disabled={busy} aria-busy={test.running} data-testid="setup-test">
              {test.running ? (
                <>
                  <Spinner /> Testing…
                </>
              ) : (
                'Test'
              )}
            </button>
            <button
              type="button"
              className="primary"
              disabled={busy || !testAllowsPreview(tested)}
              aria-describedby={`${ids}-preview-help`}
              onClick={() => void onPreview()}
              data-testid="setup-preview"
            >
              Preview
            </button>
            <span className="help" id={`${ids}-preview-help`}>
              {testAllowsPreview(tested) ? 'Shows what joining does on this machine before anything changes.' : 'Test the address first.'}
            </span>
          </div>
        )}
      </form>
      <ActionStatus state={test.state} testId="setup-test-result" running="Testing…" showRunning={false} done={(r) => <TestWords r={r} />} />

      {step === 'preview' && (
        <ActionStatus
          state={preview.state}
          testId="setup-preview-result"
          running="Looking at the repository and this machine (nothing changes yet)…"
          done={(r) => <PreviewView p={r} chosen={chosen} onChoose={setChosen} locked={apply.running} remote={target} />}
        />
      )}

      {step === 'preview' && (
        <div className="button-row">
          <button
            type="button"
            className="primary"
            disabled={!p || busy}
            aria-busy={apply.running}
            onClick={() => p && void apply.run(joinProfiles(p.profiles, chosen))}
            data-testid="setup-apply"
          >
            {apply.running ? (
              <>
                <Spinner /> Applying…
              </>
            ) : (
              'Apply'
            )}
          </button>
          <button type="button" disabled={apply.running || cancel.running} onClick={() => void onCancel()} data-testid="setup-cancel">
            Cancel
          </button>
        </div>
      )}
      <ActionStatus
        state={cancel.state}
        testId="setup-cancel-result"
        running="Putting the settings back…"
        done={(r) => <span className="muted">{r === 'restored' ? 'Cancelled: the settings are as they were, and nothing was synced.' : 'Cancelled: nothing was changed.'}</span>}
      />
      <ActionStatus state={apply.state} testId="setup-apply-result" running="Applying: turning on the profiles and syncing…" showRunning={false} done={(r) => <Applied r={r} />} />
      {step === 'applied' && apply.state.status !== 'running' && (
        <div className="button-row">
          {apply.state.status === 'done' && !isSuccess(apply.state.result.kind) && p && (
            <button type="button" onClick={() => void apply.run(joinProfiles(p.profiles, chosen))} data-testid="setup-apply-again">
              Try again
            </button>
          )}
          <button type="button" className="primary" onClick={onClose} data-testid="setup-done">
            Done
          </button>
        </div>
      )}
    </section>
  );
}

function TestWords({ r }: { r: TestConnectionResult }) {
  const w = setupTestWords(r);
  const detail = testDetailWords(r);
  return (
    <Note tone={w.tone}>
      <strong>{w.title}</strong>
      {detail && <div className="muted">{detail}</div>}
      {w.fix && <div data-testid="setup-test-fix">{w.fix}</div>}
      {w.gitLine && <div className="result-message">git said: {w.gitLine}</div>}
    </Note>
  );
}

function Applied({ r }: { r: SyncResult }) {
  return (
    <>
      <SyncResultView result={r} />
      {isSuccess(r.kind) && (
        <p className="help" data-testid="setup-applied-words">
          Syncing is set up: changes here are sent, and changes from your other machines arrive.
          {r.conflicts > 0 && ' Where this machine had its own version, it is kept beside the repo’s as a conflict copy: Conflicts shows each one.'}
        </p>
      )}
    </>
  );
}

function PreviewView({ p, chosen, onChoose, locked, remote }: { p: SyncPreview; chosen: ReadonlySet<string>; onChoose(s: ReadonlySet<string>): void; locked: boolean; remote: { url: string; branch: string } }) {
  const groups = useMemo(() => previewGroups(p, leftOffProfiles(p.profiles, chosen)), [p, chosen]);
  const toggle = (name: string, on: boolean) => {
    const next = new Set(chosen);
    if (on) next.add(name);
    else next.delete(name);
    onChoose(next);
  };
  return (
    <div className="setup-preview">
      {p.offline && (
        <Note tone="warning" testId="setup-offline">
          The repository could not be asked ({p.offline}); this shows this machine’s side only.
        </Note>
      )}
      <h4>Profiles in the repository</h4>
      {p.profiles.length === 0 ? (
        <p className="empty" data-testid="setup-profiles-empty">
          The repository has no files yet: applying sends this machine’s files to it.
        </p>
      ) : (
        <ul className="rows setup-profiles" data-testid="setup-profiles">
          {p.profiles.map((x) => {
            const on = chosen.has(x.name);
            const w = setupProfileWords(x, on);
            return (
              <li key={x.name} data-testid="setup-profile" data-name={x.name} data-chosen={String(x.enabled || on)} data-enabled={String(x.enabled)} data-detected={String(x.detected)}>
                <div className="row-main">
                  <span className="row-title">{x.title}</span>
                  <span className="muted">{w.files}</span>
                  <span className={x.enabled || on ? 'setup-state-on' : 'muted'}>{w.state}</span>
                  {w.action && (
                    <span className="row-actions">
                      <button
                        type="button"
                        className="link"
                        disabled={locked}
                        onClick={() => toggle(x.name, w.action === 'turn-on')}
                        aria-label={`${w.action === 'turn-on' ? 'Turn on' : 'Leave off'} ${x.title}`}
                        data-testid={w.action === 'turn-on' ? 'setup-profile-turn-on' : 'setup-profile-leave-off'}
                        data-name={x.name}
                      >
                        {w.action === 'turn-on' ? 'Turn on' : 'Leave off'}
                      </button>
                    </span>
                  )}
                </div>
              </li>
            );
          })}
        </ul>
      )}
      <h4>Files on this machine</h4>
      <p data-testid="setup-summary">{previewSummary(groups)}</p>
      {groups.map((g) => (
        <FileGroup key={g.id} g={g} remote={remote} />
      ))}
    </div>
  );
}

function FileGroup({ g, remote }: { g: PreviewGroup; remote: { url: string; branch: string } }) {
  const ids = useId();
  return (
    <section className="setup-group" aria-labelledby={`${ids}-h`} data-testid="setup-group" data-group={g.id} data-count={g.items.length}>
      <h5 id={`${ids}-h`}>
        {g.title} <span className="pill">{g.count}</span>
      </h5>
      <ul className="rows">
        {g.items.map((i) => (
          <PreviewFile key={`${i.direction}:${i.path}`} item={i} testPrefix="setup" remote={remote} />
        ))}
      </ul>
    </section>
  );
}
