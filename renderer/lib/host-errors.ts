/**
 * Errors from the host arrive as one line of text (a ContractError message, or Electron's wrapped
 * "Error invoking remote method …"). These helpers clean that line for people and pick out the
 * settings keys it names, so a form can show each message next to its field.
 */

/** Removes transport wrapping: "Error invoking remote method 'x': ContractError: msg" → "msg". */
export function cleanErrorMessage(message: string): string {
  let m = message.trim();
  m = m.replace(/^Error invoking remote method '[^']*':\s*/, '');
  m = m.replace(/^(?:ContractError|ConfigError|Error):\s*/, '');
  return m;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Finds `key: reason` segments for each of `keys` (zod's "a.b: message; c.d: message" form, possibly
 * after a `file: key "a.b": ` prefix). A key named only as `key "a.b"` gets the whole message.
 */
export function fieldErrors(message: string, keys: readonly string[]): Record<string, string> {
  const msg = cleanErrorMessage(message).replace(/\s*\(a copy was kept at [^)]*\)\s*$/, '');
  const out: Record<string, string> = {};
  for (const key of keys) {
    const re = new RegExp(`(?:^|[;\\s"])${escapeRe(key)}:\\s*([^;]+)`);
    const m = re.exec(msg);
    if (m) {
      out[key] = m[1].trim();
      continue;
    }
    if (msg.includes(`key "${key}"`)) out[key] = msg;
  }
  return out;
}

// ------------------------------------------------------------------------------ problems, in words

/**
 * A problem a person can fix, said once: what is wrong (`cause`, short enough for a headline) and what
 * to do (`fix`). `id` says which problem it is, so two places can tell they show the same one.
 */
export interface Problem {
  id: 'identity' | 'identity-empty' | 'not-found' | 'auth' | 'host-key' | 'rejected' | 'disk-full' | 'locked' | 'permission' | 'rewritten' | 'not-confsync' | 'timeout';
  cause: string;
  fix: string;
}

const PROBLEMS: readonly { id: Problem['id']; re: RegExp; cause: string; fix: string }[] = [
  {
    // The name or email git was given is empty (an exported but empty GIT_AUTHOR_NAME / GIT_COMMITTER_NAME).
    id: 'identity-empty',
    re: /empty ident name|name consists only of disallowed characters/i,
    cause: 'Git needs a name and email: the name it was given is empty',
    fix: 'GIT_AUTHOR_NAME or GIT_COMMITTER_NAME is set to an empty value where ConfSync starts. Remove it (or set it to your name), then restart ConfSync.',
  },
  {
    id: 'identity',
    re: /Please tell me who you are|Author identity unknown|Committer identity unknown|unable to auto-detect email address|invalid ident/i,
    cause: 'Git needs a name and email',
    fix: 'Set them in a terminal with git config --global user.name "Your Name" and git config --global user.email "you@example.com", then press Sync now.',
  },
  {
    id: 'host-key',
    re: /REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed/i,
    cause: "The server's host key changed",
    fix: 'If you know why (the server was rebuilt), remove the old key with ssh-keygen -R and the server name, and connect once in a terminal to accept the new one. If you do not, do not trust it.',
  },
  {
    id: 'not-found',
    re: /does not appear to be a git repository|Repository not found|repository '[^']*' not found|remote: Not Found/i,
    cause: 'Remote not found: no repository at that address',
    fix: 'Check the address in Preferences, Repository: a typo, a repository that was moved, or a disk that is not connected.',
  },
  {
    id: 'auth',
    re: /Authentication failed|Permission denied \(publickey|could not read Username|could not read Password|HTTP Basic: Access denied|terminal prompts disabled|returned error: 40[13]|invalid credentials/i,
    cause: 'The server refused the credentials',
    fix: 'ConfSync signs in the way git does on this machine: check that git ls-remote with this address works in a terminal (an SSH key loaded with ssh-add, or a credential helper that is signed in).',
  },
  {
    id: 'disk-full',
    re: /No space left on device|disk quota exceeded/i,
    cause: 'The disk is full',
    fix: 'Free some space on this disk, then press Sync now.',
  },
  {
    id: 'locked',
    re: /index\.lock'?: File exists|Unable to create '[^']*\.lock'/i,
    cause: 'Another git program is working in the sync folder',
    fix: 'Wait for it to finish and press Sync now. If nothing else is running, restart ConfSync: it clears a lock left by a crash when it starts.',
  },
  {
    id: 'permission',
    re: /Permission denied|EACCES|Operation not permitted|EPERM/i,
    cause: 'ConfSync may not write in the sync folder',
    fix: 'Check that the sync folder and the files in it belong to you (Preferences, Repository shows the folder).',
  },
];

/** Fixes for result kinds whose words already say what is wrong (see RESULT_WORDS in words.ts). */
const KIND_PROBLEMS: Partial<Record<string, Problem>> = {
  'auth-failed': { id: 'auth', cause: PROBLEMS.find((p) => p.id === 'auth')!.cause, fix: PROBLEMS.find((p) => p.id === 'auth')!.fix },
  'host-key-changed': { id: 'host-key', cause: "The server's host key changed", fix: PROBLEMS.find((p) => p.id === 'host-key')!.fix },
  rejected: { id: 'rejected', cause: 'The server refused the push', fix: 'Check that you may push to this branch (a protected branch refuses pushes), or choose another branch in Preferences, Repository.' },
  'disk-full': { id: 'disk-full', cause: 'The disk is full', fix: 'Free some space on this disk, then press Sync now.' },
  'remote-rewritten': {
    id: 'rewritten',
    cause: "The remote's history was rewritten",
    fix: 'Nothing is merged or sent until you choose. To take the remote as it is now, run confsync sync --adopt-remote in a terminal.',
  },
  'not-confsync-repo': { id: 'not-confsync', cause: 'The remote holds something other than ConfSync files', fix: 'Use an empty repository, or one another machine set up with ConfSync.' },
  timeout: { id: 'timeout', cause: 'The server did not answer in time', fix: 'ConfSync tries again on its own; if this keeps happening, check the connection to the server.' },
};

/**
 * The fixable problem behind a failure, from its result kind and git's own words (message, detail,
 * warnings), or null when it is not one ConfSync knows how to explain. git's words are matched most
 * specific first; a kind with its own words (auth-failed, remote-rewritten, …) is used when git's text
 * says nothing more precise.
 */
export function explainProblem(kind: string, texts: readonly (string | null | undefined)[]): Problem | null {
  const text = texts.filter(Boolean).join('\n');
  for (const p of PROBLEMS) {
    // A missing repository is a remote's problem: only a failure to reach the remote can mean it.
    if (p.id === 'not-found' && kind !== 'offline' && kind !== 'error' && kind !== 'not-found') continue;
    // … and a local permission problem is never a failure to reach it.
    if (p.id === 'permission' && (kind === 'offline' || kind === 'not-found')) continue;
    if (p.re.test(text)) return { id: p.id, cause: p.cause, fix: p.fix };
  }
  return KIND_PROBLEMS[kind] ?? null;
}

/** The first line of git's text worth showing ("fatal: x" → "x"), for a failure ConfSync cannot explain. */
export function gitFirstLine(text: string | null | undefined): string | null {
  if (!text) return null;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw
      .trim()
      .replace(/^(?:fatal|error|remote|hint):\s*/i, '')
      .trim();
    if (line) return line;
  }
  return null;
}

// ------------------------------------------------------------------------------ validator words

/** "10 seconds", "24 hours", "1,500 milliseconds": the largest unit that says the amount exactly. */
export function amountWords(n: number, unit: 'seconds' | 'ms' | 'number' | 'bytes' = 'number'): string {
  const count = (v: number, one: string) => `${v.toLocaleString('en-US')} ${v === 1 ? one : `${one}s`}`;
  if (unit === 'number') return n.toLocaleString('en-US');
  if (unit === 'bytes') return count(n, 'byte');
  const ms = unit === 'seconds' ? n * 1000 : n;
  for (const [size, one] of [
    [86_400_000, 'day'],
    [3_600_000, 'hour'],
    [60_000, 'minute'],
    [1000, 'second'],
  ] as const) {
    if (ms >= size && ms % size === 0 && !(size === 86_400_000 && ms / size === 1)) return count(ms / size, one);
  }
  return count(ms, 'millisecond');
}

/**
 * A settings validator's message (zod's "Too small: expected number to be >=10") in words: "At least
 * 10 seconds". `unit` is the unit the setting is stored in. A message that is already words (a custom
 * one, e.g. "letters, digits, dot, underscore and dash only") is kept, as a sentence.
 */
export function validatorWords(message: string, unit: 'seconds' | 'ms' | 'number' | 'bytes' = 'number'): string {
  const m = message.trim();
  let r: RegExpExecArray | null;
  if ((r = /^Too small: expected number to be >=\s*(-?[\d.]+)/.exec(m))) return `At least ${amountWords(Number(r[1]), unit)}.`;
  if ((r = /^Too small: expected number to be >\s*(-?[\d.]+)/.exec(m))) return `More than ${amountWords(Number(r[1]), unit)}.`;
  if ((r = /^Too big: expected number to be <=\s*(-?[\d.]+)/.exec(m))) return `At most ${amountWords(Number(r[1]), unit)}.`;
  if ((r = /^Too big: expected number to be <\s*(-?[\d.]+)/.exec(m))) return `Less than ${amountWords(Number(r[1]), unit)}.`;
  if (/^Too small: expected string to have >=\s*1 characters?/.test(m)) return 'Cannot be empty.';
  if ((r = /^Too small: expected string to have >=\s*(\d+) characters?/.exec(m))) return `At least ${amountWords(Number(r[1]))} characters.`;
  if ((r = /^Too big: expected string to have <=\s*(\d+) characters?/.exec(m))) return `At most ${amountWords(Number(r[1]))} characters.`;
  if (/^Invalid input: expected int, received number/.test(m)) return 'Enter a whole number.';
  if (/^Invalid input: expected number/.test(m)) return 'Enter a number.';
  if (/^Invalid input: expected string/.test(m)) return 'Enter some text.';
  if ((r = /^Invalid option: expected one of (.*)$/.exec(m))) return `Choose one of ${r[1].replace(/"/g, '').replace(/\|/g, ', ')}.`;
  if (/^(Too small|Too big|Invalid)\b/.test(m)) return m; // unknown zod wording: as it is, never dropped
  return m.charAt(0).toUpperCase() + m.slice(1) + (/[.!?]$/.test(m) ? '' : '.');
}
