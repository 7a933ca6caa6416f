/** popover.html — the tray popover window (~360 px). Opening a tab goes to preferences.html#tab. */
import { bootstrap } from './bootstrap.js';
import { ConnectionBadge } from '../components/ConnectionBadge.js';
import { Popover } from '../components/Popover.js';
import { useDocumentTitle } from '../hooks.js';
import type { TabId } from '../lib/tabs.js';

function PopoverPage() {
  useDocumentTitle('ConfSync');
  const openTab = (tab: TabId) => {
    // In Electron the main process guards navigation and may open the preferences window instead.
    window.location.assign(`preferences.html#${tab}`);
  };
  return (
    <div className="popover-page">
      <ConnectionBadge />
      <Popover onOpenTab={openTab} />
    </div>
  );
}

bootstrap(() => <PopoverPage />);
