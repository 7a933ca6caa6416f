/** preferences.html — the preferences window; the tab lives in the URL hash (#conflicts). */
import { bootstrap } from './bootstrap.js';
import { ConnectionBadge } from '../components/ConnectionBadge.js';
import { Preferences } from '../preferences/Preferences.js';
import { useDocumentTitle, useHashTab } from '../hooks.js';

function PreferencesPage() {
  const [tab, setTab] = useHashTab();
  useDocumentTitle('ConfSync Preferences');
  return (
    <div className="preferences-page">
      <ConnectionBadge />
      <Preferences tab={tab} onTabChange={setTab} />
    </div>
  );
}

bootstrap(() => <PreferencesPage />);
