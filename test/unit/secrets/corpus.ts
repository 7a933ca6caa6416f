/**
 * The positive corpus (real-format fake secrets, each with the rule and line it must be found at) and
 * the near-miss corpus (things that look secret-ish but must not be found). Everything is generated.
 */
import { ALNUM, B64, B64URL, DIGITS, Fake, HEX, P, UPPER_ALNUM, armor, pemBlock } from './fakes.js';

export interface PositiveCase {
  name: string;
  path: string;
  content: string;
  rule: string;
  /** 1-based line the finding must be reported on. */
  line: number;
  /** The secret material (for masking / fingerprint checks). */
  secret: string;
}

export interface NearMiss {
  name: string;
  path: string;
  content: string;
}

/** Builds a case whose secret sits on the line marked by the `@@` placeholder in `lines`. */
function place(name: string, path: string, rule: string, secret: string, lines: string[]): PositiveCase {
  const idx = lines.findIndex((l) => l.includes('@@'));
  if (idx < 0) throw new Error(`case ${name}: no @@ marker`);
  return { name, path, rule, secret, line: idx + 1, content: lines.map((l) => l.replace('@@', secret)).join('\n') + '\n' };
}

/** A PEM case: header on line `before.length + 1`. */
function pem(name: string, path: string, rule: string, kind: string, lead: string, before: string[] = [], headers: string[] = []): PositiveCase {
  const f = new Fake(name.length * 7919 + 13);
  const body = f.b64Lines(lead, 320);
  const lines = [...before, ...pemBlock(kind, body, 'PRIVATE KEY', headers), ''];
  return { name, path, rule, secret: body.join(''), line: before.length + 1, content: lines.join('\n') };
}

export function positiveCorpus(seed = 20240601): PositiveCase[] {
  const f = new Fake(seed);
  const cases: PositiveCase[] = [];
  const add = (c: PositiveCase) => cases.push(c);

  // --- private keys --------------------------------------------------------------------------------
  add(pem('openssh', 'ssh/id_ed25519', 'private-key-openssh', 'OPENSSH ', P.opensshLead));
  add(pem('rsa pkcs1', 'ssh/id_rsa', 'private-key-rsa', 'RSA ', P.rsaLead));
  add(
    pem('ec with parameters block first', 'certs/ec.key', 'private-key-ec', 'EC ', P.ecLead, [
      armor('BEGIN', 'EC ', 'PARAMETERS'),
      'BggqhkjOPQMBBw==',
      armor('END', 'EC ', 'PARAMETERS'),
    ]),
  );
  add(pem('dsa', 'ssh/id_dsa', 'private-key-dsa', 'DSA ', P.dsaLead));
  add(pem('pkcs8', 'certs/server.key', 'private-key-pkcs8', '', P.pkcs8Lead, ['# nginx key']));
  add(pem('pkcs8 encrypted', 'certs/enc.key', 'private-key-pkcs8-encrypted', 'ENCRYPTED ', P.encPkcs8Lead));
  add(
    pem('legacy encrypted rsa with DEK-Info', 'ssh/legacy_rsa', 'private-key-rsa', 'RSA ', f.str(B64, 24), [], [
      'Proc-Type: 4,ENCRYPTED',
      'DEK-Info: AES-128-CBC,' + f.str(HEX.toUpperCase(), 32),
      '',
    ]),
  );
  {
    const body = f.b64Lines(P.pgpLead, 400);
    const checksum = '=' + f.str(B64, 4);
    const lines = ['# exported key', '', armor('BEGIN', 'PGP ', 'PRIVATE KEY BLOCK'), 'Version: GnuPG v2', 'Comment: backup', '', ...body, checksum, armor('END', 'PGP ', 'PRIVATE KEY BLOCK'), ''];
    // The fingerprinted material is the armored body including its checksum line.
    add({ name: 'pgp private key block', path: 'gnupg/backup.asc', rule: 'pgp-private-key', line: 3, secret: body.join('') + checksum, content: lines.join('\n') });
  }
  {
    // Google service-account JSON: the key is inlined with escaped newlines on one line.
    const body = f.b64Lines(P.pkcs8Lead, 256);
    const inline = armor('BEGIN', '') + '\\n' + body.join('\\n') + '\\n' + armor('END', '') + '\\n';
    const lines = ['{', '  "type": "service_account",', '  "project_id": "confsync-dev",', `  "private_key_id": "${f.str(HEX, 40)}",`, `  "private_key": "${inline}",`, '  "client_email": "svc@confsync-dev.iam.gserviceaccount.com"', '}', ''];
    add({ name: 'service account json', path: 'gcloud/sa.json', rule: 'private-key-pkcs8', line: 5, secret: body.join(''), content: lines.join('\n') });
  }
  {
    const priv = f.str(B64, 64);
    const lines = ['PuTTY-User-Key-File-3: ssh-ed25519', 'Encryption: none', 'Comment: me@laptop', 'Public-Lines: 2', f.str(B64, 64), f.str(B64, 16), 'Private-Lines: 1', priv, 'Private-MAC: ' + f.str(HEX, 64), ''];
    add({ name: 'putty ppk', path: 'putty/key.ppk', rule: 'private-key-putty', line: 1, secret: priv, content: lines.join('\n') });
  }

  // --- AWS -----------------------------------------------------------------------------------------
  const akid = P.akia + f.str(UPPER_ALNUM, 16);
  const awsSecret = f.str(B64, 40);
  add(place('aws credentials key id', 'aws/credentials', 'aws-access-key-id', akid, ['[default]', 'aws_access_key_id = @@', `aws_secret_access_key = ${awsSecret}`, 'region = eu-west-1']));
  add(place('aws credentials secret', 'aws/credentials', 'aws-secret-access-key', awsSecret, ['[default]', `aws_access_key_id = ${akid}`, 'aws_secret_access_key = @@', 'region = eu-west-1']));
  add(place('aws session key id (ASIA) in env', 'zsh/.zshenv', 'aws-access-key-id', P.asia + f.str(UPPER_ALNUM, 16), ['# temporary creds', 'export AWS_REGION=us-east-1', 'export AWS_ACCESS_KEY_ID=@@']));
  add(place('aws secret in json', 'aws/cache/creds.json', 'aws-secret-access-key', f.str(B64, 40), ['{', '  "Credentials": {', `    "AccessKeyId": "${P.asia}${f.str(UPPER_ALNUM, 16)}",`, '    "SecretAccessKey": "@@",', '    "Expiration": "2030-01-01T00:00:00Z"', '  }', '}']));

  // --- GitHub --------------------------------------------------------------------------------------
  add(place('github classic pat', 'zsh/.zshrc', 'github-pat', P.ghp + f.str(ALNUM, 36), ['alias ll="ls -la"', 'export PATH="$HOME/bin:$PATH"', 'export GITHUB_TOKEN=@@']));
  add(place('github oauth in gh hosts.yml', 'gh/hosts.yml', 'github-oauth-token', P.gho + f.str(ALNUM, 36), ['github.com:', '    user: octocat', '    oauth_token: @@', '    git_protocol: ssh']));
  add(place('github user-to-server', 'app/env', 'github-user-token', P.ghu + f.str(ALNUM, 36), ['GH_USER_TOKEN="@@"']));
  add(place('github server-to-server', 'app/env', 'github-server-token', P.ghs + f.str(ALNUM, 36), ['# app', 'INSTALLATION=@@']));
  add(place('github refresh', 'app/tokens.json', 'github-refresh-token', P.ghr + f.str(ALNUM, 36), ['{', '  "refresh": "@@"', '}']));
  add(place('github fine-grained pat', 'zsh/.zprofile', 'github-fine-grained-pat', P.ghPat + f.str(ALNUM, 22) + '_' + f.str(ALNUM, 59), ['export HOMEBREW_GITHUB_API_TOKEN=@@']));
  add(place('github token in .git-credentials', 'git/.git-credentials', 'github-pat', P.ghp + f.str(ALNUM, 36), ['https://octocat:@@@github.com']));

  // --- Slack ---------------------------------------------------------------------------------------
  add(place('slack bot token', 'bots/slack.env', 'slack-token', P.xoxb + f.str(DIGITS, 12) + '-' + f.str(DIGITS, 13) + '-' + f.str(ALNUM, 24), ['SLACK_CHANNEL=#ops', 'SLACK_BOT=@@']));
  add(place('slack user token', 'bots/slack.yml', 'slack-token', P.xoxp + f.str(DIGITS, 12) + '-' + f.str(DIGITS, 12) + '-' + f.str(DIGITS, 13) + '-' + f.str(HEX, 32), ['slack:', '  user: "@@"']));
  {
    const path = 'T' + f.str(UPPER_ALNUM, 10) + '/B' + f.str(UPPER_ALNUM, 10) + '/' + f.str(ALNUM, 24);
    const c = place('slack webhook', 'scripts/notify.sh', 'slack-webhook', path, ['#!/bin/sh', `curl -X POST -d "$1" ${P.slackHook}@@`]);
    add(c);
  }

  // --- Google, Stripe, npm ------------------------------------------------------------------------
  add(place('google api key', 'config/maps.json', 'google-api-key', P.aiza + f.str(B64URL, 35), ['{', '  "maps": {', '    "apiKey": "@@"', '  }', '}']));
  add(place('stripe live secret key', 'shop/.env', 'stripe-live-secret-key', P.skLive + f.str(ALNUM, 99), ['STRIPE_PUBLISHABLE=pk_live_abc', 'STRIPE_KEY=@@']));
  add(place('stripe live restricted key', 'shop/.env.prod', 'stripe-live-restricted-key', P.rkLive + f.str(ALNUM, 24), ['STRIPE_RESTRICTED=@@']));
  add(place('npm token in .npmrc', 'npm/.npmrc', 'npm-token', P.npm + f.str(ALNUM, 36), ['registry=https://registry.npmjs.org/', '//registry.npmjs.org/:_authToken=@@']));
  add(place('legacy uuid npm token', 'npm/.npmrc', 'npmrc-auth', new Fake(seed + 1).uuid(), ['save-exact=true', '//npm.corp.lan/:_authToken=@@']));
  add(place('npmrc _auth', 'npm/.npmrc', 'npmrc-auth', f.str(B64, 28) + '==', ['; corp registry', 'always-auth=true', '_auth=@@']));

  // --- netrc ---------------------------------------------------------------------------------------
  add(place('netrc one line', 'home/.netrc', 'netrc-password', f.str(ALNUM, 14), ['machine ftp.corp.lan login deploy password @@']));

  // --- generic high-entropy assignments -----------------------------------------------------------
  const pw = () => f.str(ALNUM, 1) + f.str(ALNUM + '!#%&*+-.=?@^_~', 23);
  add(place('ini password', 'mysql/.my.cnf', 'generic-secret', pw(), ['[client]', 'user = app', 'password = @@', 'host = 127.0.0.1']));
  add(place('yaml api_key', 'tool/config.yml', 'generic-secret', f.str(HEX, 40), ['service:', '  url: https://api.corp.lan', '  api_key: @@']));
  add(place('json clientSecret', 'tool/oauth.json', 'generic-secret', f.str(B64URL, 40), ['{', '  "clientId": "1234.apps",', '  "clientSecret": "@@"', '}']));
  add(place('openai key in env', 'zsh/.zshrc', 'generic-secret', 'sk-' + f.str(ALNUM, 48), ['# ai', 'export OPENAI_API_KEY="@@"']));
  add(place('fish set -gx', 'fish/config.fish', 'generic-secret', f.str(HEX, 40), ['set -gx EDITOR nvim', 'set -gx HOMEBREW_GITHUB_API_TOKEN @@']));
  add(place('toml token', 'tool/config.toml', 'generic-secret', f.str(ALNUM, 32), ['[auth]', 'token = "@@"']));
  add(place('commented-out password still counts', 'tool/app.conf', 'generic-secret', pw(), ['# old one:', '# db_password = @@']));
  add(place('cli flag in alias', 'zsh/aliases.zsh', 'generic-secret', pw(), ["alias prod='psql --host db --password=@@'"]));
  add(place('xml element', 'tool/settings.xml', 'generic-secret', f.str(ALNUM, 28), ['<settings>', '  <server>', '    <id>corp</id>', '    <password>@@</password>', '  </server>', '</settings>']));
  add(place('plist key/string pair', 'prefs/com.tool.plist', 'generic-secret', f.str(ALNUM, 32), ['<dict>', '  <key>apiToken</key>', '  <string>@@</string>', '</dict>']));

  // --- URLs and headers ----------------------------------------------------------------------------
  add(place('database url with password', 'app/.env', 'url-credentials', f.str(ALNUM, 20), ['DATABASE_URL=postgres://app:@@@db.corp.lan:5432/app']));
  add(place('authorization header in .curlrc', 'curl/.curlrc', 'authorization-header', f.str(B64URL, 40), ['silent', 'header = "Authorization: Bearer @@"']));

  return cases;
}

export function nearMisses(seed = 424242): NearMiss[] {
  const f = new Fake(seed);
  const nm: NearMiss[] = [];
  const add = (name: string, path: string, lines: string[]) => nm.push({ name, path, content: lines.join('\n') + '\n' });

  add('ssh-rsa public key', 'ssh/id_rsa.pub', ['ssh-rsa ' + P.sshRsaPub + f.str(B64, 500) + '= me@laptop']);
  add('authorized_keys ed25519', 'ssh/authorized_keys', ['ssh-ed25519 ' + P.sshEdPub + f.str(B64, 43) + ' me@laptop', 'ssh-ed25519 ' + P.sshEdPub + f.str(B64, 43) + ' ci@runner']);
  add('public key PEM', 'certs/pub.pem', pemBlock('', f.b64Lines('MIIB' + 'IjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA', 392), 'PUBLIC KEY'));
  add('certificate PEM', 'certs/ca.crt', pemBlock('', f.b64Lines('MIID' + 'dzCCAl+gAwIBAgIE', 1200), 'CERTIFICATE'));
  add('script that greps for key headers', 'bin/check-keys.sh', ['#!/bin/sh', `if grep -q -- '${armor('BEGIN', 'OPENSSH ')}' "$1"; then`, '  echo "refusing to sync a private key" >&2', 'fi']);
  add('documented AWS example keys', 'docs/aws.md', [
    '[default]',
    `aws_access_key_id = ${P.akia}IOSFODNN7${'EXAM' + 'PLE'}`,
    `aws_secret_access_key = ${'wJalrXUtnFEMI/K7MDENG'}/bPxRfiCY${'EXAM' + 'PLE'}KEY`,
  ]);
  add('git commit hashes', 'git/.git-blame-ignore-revs', ['# reformat', f.str(HEX, 40), f.str(HEX, 40), `commit = ${f.str(HEX, 40)}`]);
  add('uuids', 'tool/ids.json', ['{', `  "id": "${f.uuid()}",`, `  "machine_id": "${f.uuid()}",`, `  "installation": "${f.uuid()}"`, '}']);
  add('empty password', 'tool/app.ini', ['[db]', 'password =', 'password=', 'secret: ', 'api_key = ""']);
  add('password_prompt = true', 'tool/app.ini', ['password_prompt = true', 'ask_password: false', 'password_length = 32']);
  add('token_type = bearer', 'tool/oauth.ini', ['token_type = bearer', 'token_expiry = 3600', 'grant_type = client_credentials']);
  add('css base64 image', 'theme/style.css', [
    '.logo {',
    `  background: url(data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAA${f.str(B64, 300)}${P.aiza}${f.str(B64URL, 35)}${f.str(B64, 40)}${P.akia}${f.str(UPPER_ALNUM, 16)}${f.str(B64, 200)}==);`,
    '}',
  ]);
  add('known_hosts', 'ssh/known_hosts', [
    'github.com ssh-ed25519 ' + P.sshEdPub + f.str(B64, 43),
    `|1|${f.str(B64, 27)}=|${f.str(B64, 27)}= ssh-rsa ${P.sshRsaPub}${f.str(B64, 360)}=`,
    `[git.corp.lan]:2222 ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBB${f.str(B64, 80)}=`,
  ]);
  add('gitconfig credential helper', 'git/.gitconfig', ['[user]', '\tname = Me', '\temail = me@users.noreply.github.com', `\tsigningkey = ${f.str(HEX.toUpperCase(), 16)}`, '[credential]', '\thelper = osxkeychain', '[credential "https://github.com"]', '\thelper = !/opt/homebrew/bin/gh auth git-credential']);
  add('zshrc token from keychain', 'zsh/.zshrc', ['export GITHUB_TOKEN=$(security find-generic-password -s github -a me -w)', 'export NPM_TOKEN="$(op read op://Private/npm/token)"']);
  add('env and template references', 'tool/config.yml', [
    'api_key = ${API_KEY}',
    'token: ${{ secrets.GITHUB_TOKEN }}',
    'password = %(db_password)s',
    'secret: "{{ vault_app_secret }}"',
    'export TOKEN=$GITHUB_TOKEN',
    'ACCESS_KEY=`cat ~/.keys/access`',
    'GITHUB_TOKEN=op://Personal/GitHub/credential',
  ]);
  add('placeholders', 'tool/example.env', [
    'password = changeme',
    'password = <your-password>',
    'secret = xxxxxxxxxxxxxxxxxxxxxxxx',
    'api_key = "********************"',
    'API_TOKEN=your_api_token_goes_here',
    'secret_key = aaaaaaaaaaaaaaaaaaaaaaaa',
    'token = "abcabcabcabcabcabcabc"',
    `github_token = ${P.ghp}${'x'.repeat(36)}`,
  ]);
  add('paths and urls under secret names', 'tool/app.toml', [
    'private_key = ~/.ssh/id_ed25519',
    'password_file = /etc/app/secret.txt',
    'token_url = https://oauth2.googleapis.com/token',
    'secret_path = "/run/secrets/db_password"',
    'api_key_env = OPENWEATHER_API_KEY_PROD',
  ]);
  add('code references', 'tool/settings.js', ['const apiKey = process.env.OPENWEATHER_KEY;', 'token = os.environ["SERVICE_TOKEN"]', 'password: getPasswordFromKeychain(account)']);
  add('stripe test key and docs webhook', 'docs/integrations.md', [
    `STRIPE_KEY=${P.skTest}${f.str(ALNUM, 24)}`,
    `SLACK_WEBHOOK=${P.slackHook}T00000000/B00000000/${'X'.repeat(24)}`,
  ]);
  add('db url with placeholder password', 'docs/db.md', ['postgres://user:password@localhost:5432/app', 'redis://:${REDIS_PASSWORD}@cache:6379', 'https://host.example.org:8443/path@v2']);
  add('ssh config auth settings', 'ssh/config', ['Host *', '  PasswordAuthentication no', '  PreferredAuthentications publickey,password', '  IdentityFile ~/.ssh/id_ed25519']);
  add('sops encrypted value', 'secrets/app.enc.yaml', [`password: ENC[AES256_GCM,data:${f.str(B64, 24)},iv:${f.str(B64, 43)}=,tag:${f.str(B64, 22)}==,type:str]`]);
  add('lockfile integrity hashes', 'tool/package-lock.json', ['{', `  "integrity": "sha512-${f.str(B64, 86)}==",`, `  "resolved": "https://registry.npmjs.org/x/-/x-1.0.0.tgz"`, '}']);
  add('netrc placeholders and prose', 'docs/netrc.md', [
    'machine api.host.io login me password <password>',
    'machine api.host.io login me password $NETRC_PASSWORD',
    'The machine learning password policy says tokens rotate.',
  ]);
  add('low-entropy long digits under token name', 'tool/app.ini', ['token_ttl_seconds = 86400000000000000', 'session_token = 1111222233334444']);
  add('code in config files (js/ts/lua/python snippets)', 'hammerspoon/init.js', [
    'exports.isClosingBraceToken = isClosingBraceToken;',
    'const tokens = sourceCode.tokensAndComments;',
    'this.lastTokEndLoc=this.lastTokStartLoc=null,this.lastTokStart=this.lastTokEnd=this.pos',
    'token = self._in_arguments and ARGUMENT or SYNTAX',
    'readonly token: SyntaxKind.WithKeyword | SyntaxKind.AssertKeyword;',
    'privateKey: asn1js.OctetString;',
    'const PRIVATE_KEY_ALGORITHM = "privateKeyAlgorithm";',
    'type TemplateLiteralToken = NoSubstitutionTemplateLiteral | PseudoLiteralToken;',
    'throw new Error("unexpected token: " + JSON.stringify(tokenValue) + " here");',
    'this._printSemicolonBeforeNextToken = this._printSemicolonBeforeNextNode;',
    'local secretPath = os.getenv("HOME") .. "/.config/secret"',
    "if token == '' then return end",
  ]);
  add('words for people under secret-looking names', 'tool/strings.json', [
    '{',
    '  "private-key-openssh": "OpenSSH private key",',
    '  "tokenHelp": "Paste the personal access token you created on the website",',
    '  "Unexpected_token_1012": "\u041d\u0435\u043e\u0436\u0438\u0434\u0430\u043d\u043d\u044b\u0439 \u0442\u043e\u043a\u0435\u043d",',
    '  "passwordHint": "Neo\u017eidan\u00fd token \u00fa\u010det \u017ee\u0161 \u0161\u00e9\u0159",',
    '}',
  ]);
  add('yaml block scalars and kinds', 'k8s/secret.yaml', ['kind: Secret', 'metadata:', '  name: app-secret', 'type: Opaque', 'stringData:', '  password: |', '    see vault']);

  return nm;
}
