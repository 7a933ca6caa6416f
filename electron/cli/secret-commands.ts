/**
 * `confsync secret …`: encrypted files. This file holds the identity half (the one age identity shared
 * by all the person's machines): `secret status`, `secret identity [--create]`, `secret import FILE|-`.
 * `secretCommands` returns the `secret` command so the files half (add, list, remove) joins the same
 * group.
 *
 * With a running host (the daemon or the app, found by daemon.json) the commands ask it over its
 * authenticated loopback API, so the app's own keychain is the one used; otherwise they use the
 * identity store directly: showing or importing an identity needs no repo and no engine.
 */
import type { Command } from 'commander';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Invoke } from './confsync.js';
import type { RequestOf, ResponseOf, SecretIdentityStatus } from '../../shared/contract.js';
import { withRunningHost } from './client.js';
import { configFiles, resolveConfigDir } from '../engine/config/paths.js';

/**
 * The identity store and its words: loaded by the secret commands, not at every command's start (it
 * brings age-encryption and its cryptography, the heaviest package the CLI has).
 */
const identityModule = () => import('../engine/secrets/identity.js');

interface Deps {
  print(json: boolean, data: unknown, human: () => string): void;
  withHost<T>(fn: (invoke: Invoke, mode: 'daemon' | 'local') => Promise<T>): Promise<T>;
}

type IdentityChannel = 'secrets:identity-status' | 'secrets:identity-create' | 'secrets:identity-show' | 'secrets:identity-set';
type IdentityInvoke = <C extends IdentityChannel>(channel: C, payload?: RequestOf<C>) => Promise<ResponseOf<C>>;

export const PRIVATE_KEY_WARNING =
  'confsync: this is your secrets identity, a private key: anyone who has it can read your encrypted files. Keep it secret; paste it only into ConfSync on your own machines.';

/** Runs `fn` against the running host, or against this config dir's identity store in this process. */
async function withIdentity<T>(fn: (invoke: IdentityInvoke, mode: 'daemon' | 'local') => Promise<T>): Promise<T> {
  const dir = resolveConfigDir();
  const running = await withRunningHost(configFiles(dir).daemon, (client) => fn(client.invoke.bind(client) as IdentityInvoke, 'daemon'));
  if (running) return running.value;
  const [{ IdentityStore, defaultKeychain }, { identityHandlers }] = await Promise.all([identityModule(), import('../engine/features/secret-files.js')]);
  const h = identityHandlers(new IdentityStore({ configDir: dir, keychain: defaultKeychain() }));
  const local = (async (channel: IdentityChannel, payload?: { identity?: string; replace?: boolean }) => {
    switch (channel) {
      case 'secrets:identity-status':
        return h.secretIdentityStatus();
      case 'secrets:identity-create':
        return h.secretIdentityCreate();
      case 'secrets:identity-show':
        return h.secretIdentityShow();
      case 'secrets:identity-set':
        return h.secretIdentitySet(payload?.identity ?? '', payload?.replace);
    }
  }) as IdentityInvoke;
  return fn(local, 'local');
}

/** The status in words: whether this machine has the identity, where it is kept, its public key. */
export async function identityStatusWords(s: SecretIdentityStatus, o: { appKeepsOne?: boolean } = {}): Promise<string> {
  const { whereWords } = await identityModule();
  if (!s.exists) {
    const lines = ['This machine has no secrets identity: files encrypted on your other machines stay encrypted here.'];
    if (o.appKeepsOne) lines.push('The ConfSync app keeps one with its own keychain storage: start the app, then run this again.');
    lines.push(
      'On your first machine:  confsync secret identity --create',
      'On your other machines: confsync secret import FILE (FILE holds what `confsync secret identity` prints on a machine that has it; - reads it from standard input)',
    );
    return lines.join('\n');
  }
  const lines = [`This machine has your secrets identity, ${whereWords(s.where)}.`, `public key  ${s.recipient}`];
  if (s.where === 'file' && s.file) lines.push(`file        ${s.file} (only you can read it)`);
  if (s.where === 'file' && s.keychainProblem) lines.push(`keychain    not used: ${s.keychainProblem}`);
  return lines.join('\n');
}

function readIdentityInput(file: string): string {
  if (file === '-') return readFileSync(0, 'utf8');
  if (!existsSync(file)) throw new Error(`cannot read ${file}: no such file (give the file that holds the identity, or - to read it from standard input)`);
  if (!statSync(file).isFile()) throw new Error(`${file} is not a file (give the file that holds the identity, or - to read it from standard input)`);
  if (statSync(file).size > 20_000) throw new Error(`${file} is too large to be an age identity file (an identity is one line of 74 characters)`);
  return readFileSync(file, 'utf8');
}

export function secretCommands(program: Command, d: Deps): Command {
  const secret = program
    .command('secret')
    .description('Encrypted files: the secrets identity (one age key for all your machines) that opens the files the repo keeps encrypted');

  secret
    .command('status')
    .description('Whether this machine has the secrets identity, where it is kept, and its public key')
    .option('--json', 'print as JSON')
    .action(async (o: { json?: boolean }) => {
      const { st, mode } = await withIdentity(async (invoke, mode) => ({ st: await invoke('secrets:identity-status'), mode }));
      const { IDENTITY_DIR, SAFE_STORAGE_FILE } = await identityModule();
      const appKeepsOne = mode === 'local' && existsSync(join(resolveConfigDir(), IDENTITY_DIR, SAFE_STORAGE_FILE));
      const words = await identityStatusWords(st, { appKeepsOne });
      d.print(!!o.json, st, () => words);
    });

  secret
    .command('identity')
    .description('Print the secrets identity (a private key: copy it to your other machines with `confsync secret import`); --create makes one on your first machine')
    .option('--create', 'make a new identity (refused when this machine has one)')
    .option('--json', 'print as JSON')
    .action(async (o: { create?: boolean; json?: boolean }) => {
      const out = await withIdentity(async (invoke) => {
        let created: SecretIdentityStatus | null = null;
        if (o.create) created = await invoke('secrets:identity-create');
        const ex = await invoke('secrets:identity-show');
        return { ...ex, where: created?.where ?? (await invoke('secrets:identity-status')).where, created: created !== null };
      });
      const { shortRecipient, whereWords } = await identityModule();
      if (out.created) process.stderr.write(`confsync: created your secrets identity (public key ${shortRecipient(out.recipient)}), ${whereWords(out.where)}. Import it on your other machines with \`confsync secret import\`.\n`);
      process.stderr.write(`${PRIVATE_KEY_WARNING}\n`);
      d.print(!!o.json, out, () => out.identity);
    });

  secret
    .command('import <file>')
    .description('Keep an identity on this machine: FILE holds what `confsync secret identity` printed on another machine (- reads standard input)')
    .option('--replace', 'replace a different identity this machine already has (files encrypted for it could not be opened here any more)')
    .option('--json', 'print as JSON')
    .action(async (file: string, o: { replace?: boolean; json?: boolean }) => {
      const text = readIdentityInput(file);
      const r = await withIdentity((invoke) => invoke('secrets:identity-set', { identity: text, ...(o.replace ? { replace: true } : {}) }));
      const { shortRecipient, whereWords } = await identityModule();
      d.print(!!o.json, r, () =>
        r.changed
          ? `Imported your secrets identity (public key ${shortRecipient(r.recipient ?? '')}), ${whereWords(r.where)}. This machine can now open your encrypted files.`
          : `This machine already has this identity (public key ${shortRecipient(r.recipient ?? '')}), ${whereWords(r.where)}; nothing changed.`,
      );
    });

  secret
    .command('add <path>')
    .description('Store a synced file encrypted from now on: the repo holds PATH.age, the live file stays plain (owner-only); the first use creates your identity')
    .option('--json', 'print the sync result as JSON')
    .action(async (path: string, o: { json?: boolean }) => {
      const r = await d.withHost((invoke) => invoke('secrets:add', { path }));
      d.print(!!o.json, r, () => r.message);
    });

  secret
    .command('list')
    .description('The files stored encrypted, and whether this machine can open them')
    .option('--json', 'print as JSON')
    .action(async (o: { json?: boolean }) => {
      const list = await d.withHost((invoke) => invoke('secrets:list'));
      d.print(!!o.json, list, () =>
        list.length === 0
          ? 'No encrypted files (see `confsync secret add PATH`).'
          : list.map((f) => `${f.path}.age  ${f.live ?? '(not synced on this machine)'}${f.canOpen ? '' : '  — cannot be opened here: import your identity with `confsync secret import`'}`).join('\n'),
      );
    });

  secret
    .command('remove <path>')
    .description('Stop encrypting a file: PATH.age leaves the repo, the live file stays (the secrets guard keeps it out of the repo while it holds a secret)')
    .option('--json', 'print the sync result as JSON')
    .action(async (path: string, o: { json?: boolean }) => {
      const r = await d.withHost((invoke) => invoke('secrets:remove', { path }));
      d.print(!!o.json, r, () => r.message);
    });

  return secret;
}
