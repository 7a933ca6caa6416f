/**
 * Side effects that differ per host enter the engine as small ports. Electron implements them in
 * electron/shell/ (shell.openPath, Notification, app.setLoginItemSettings); the headless host in
 * electron/cli/. Tests pass fakes.
 */
export interface Notice {
  kind: 'conflict' | 'error' | 'arrived' | 'secret';
  title: string;
  body: string;
  /** Preferences tab to open when the notification is clicked. */
  tab: string;
}

export interface HostPorts {
  /** Open a folder or file in the desktop's file manager. Throws with a clear message where impossible. */
  openPath(path: string): Promise<void>;
  /** Show the log file / folder. */
  showLogs(logFile: string): Promise<void>;
  /** Deliver a (grouped, rate-limited) notification. Hosts without notifications ignore it. */
  notify(notice: Notice): void;
  /** Start at login. Hosts without it ignore it. */
  setLoginItem(enabled: boolean): void;
}

export const nullPorts: HostPorts = {
  async openPath(path) {
    throw new Error(`no desktop here to open it; the path is ${path}`);
  },
  async showLogs(logFile) {
    throw new Error(`no desktop here to open it; the log is at ${logFile}`);
  },
  notify() {},
  setLoginItem() {},
};
