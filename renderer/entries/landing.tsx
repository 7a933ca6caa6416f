/**
 * index.html — the headless landing page: a header with the state in words and the tray-only things
 * (the icon the tray would show, "safe to shut down"), then the popover panel and the preferences
 * side by side (stacked on narrow screens), all on one page.
 */
import { bootstrap } from './bootstrap.js';
import { useApp } from '../context.js';
import { useDocumentTitle, useHashTab } from '../hooks.js';
import { ConnectionBadge } from '../components/ConnectionBadge.js';
import { Popover } from '../components/Popover.js';
import { Preferences } from '../preferences/Preferences.js';
import { StatusIcon } from '../components/icons.js';
import { describeState, localOnlyWords, shutdownWords } from '../lib/words.js';
import type { TabId } from '../lib/tabs.js';

function Landing() {
  const app = useApp();
  const [tab, setTab] = useHashTab();
  useDocumentTitle('ConfSync');
  const openTab = (t: TabId) => {
    setTab(t);
    // Bring the preferences into view and put focus on the chosen tab.
    requestAnimationFrame(() => {
      const el = document.getElementById(`tab-${t}`);
      el?.focus();
      el?.scrollIntoView({ block: 'nearest' });
    });
  };
  const d = app ? describeState(app) : null;
  const sd = app ? shutdownWords(app) : null;
  return (
    <div className="landing">
      <header className="page-header">
        <div className="brand">
          <h1>ConfSync</h1>
          {app && <span className="muted">on {app.host}</span>}
        </div>
        <div className="page-state" aria-live="polite">
          {d ? (
            <>
              <span className="tray-preview" data-testid="tray-state" data-kind={d.kind} title="The icon the menu bar shows">
                <span className="tray-chip">
                  <StatusIcon tone={d.tone} size={16} spin={d.tone === 'busy'} />
                </span>
                <span>
                  <span className="muted small">Menu bar icon: </span>
                  <strong data-testid="page-state">{d.label}</strong>
                </span>
              </span>
              <span className={`shutdown ${sd!.safe ? 'safe' : 'unsafe'}`} data-testid="page-safe-to-shutdown" data-safe={String(sd!.safe)}>
                <StatusIcon tone={sd!.safe ? 'ok' : 'pending'} size={14} /> {sd!.text}
              </span>
              {localOnlyWords(app!) && (
                <span className="muted small" data-testid="page-local-only">
                  {localOnlyWords(app!)}
                </span>
              )}
            </>
          ) : (
            <span className="muted" data-testid="page-state">
              Waiting for the state…
            </span>
          )}
        </div>
        <ConnectionBadge />
      </header>
      <main className="landing-main">
        <div className="popover-card">
          <Popover onOpenTab={openTab} />
        </div>
        <div className="preferences-card">
          <Preferences tab={tab} onTabChange={setTab} />
        </div>
      </main>
    </div>
  );
}

bootstrap(() => <Landing />);
