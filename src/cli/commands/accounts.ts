import { putAccount, removeAccount } from '../../config/accounts.js';
import { ROLES, type Role } from '../../domain/access.js';
import { UsageError } from '../../lib/errors.js';
import { hashPassword, newToken } from '../../lib/secrets.js';
import { formatTable, jsonOutput } from '../../lib/terminal.js';
import { defineCommand } from '../command.js';
import type { CliContext } from '../context.js';

/** `radar users` and `radar tokens`: who may sign in to the web UI and the JSON API. */

function roleOf(value: string | undefined): Role {
  const role = value ?? 'editor';
  if (!(ROLES as readonly string[]).includes(role))
    throw new UsageError(`--role: "${role}" is not a role (expected one of ${ROLES.join(', ')})`);
  return role as Role;
}

const MIN_PASSWORD = 10;

export const usersCommand = defineCommand({
  name: 'users',
  summary: 'who may sign in to the web UI (in the config file, passwords hashed)',
  usage: 'users list | users add NAME [--role editor|maintainer] | users remove NAME',
  help: `Accounts live in the config file under access.users, with scrypt-hashed passwords, so the
file stays the one place that says who may sign in (keep it out of public repositories all the
same). The password is read from standard input (one line), so it never shows in the shell
history or the process list:

  printf '%s\\n' "$PASSWORD" | radar users add alice --role editor

  users list           names and roles
  users add NAME       add the user, or give an existing one a new password and role
  users remove NAME    the user can no longer sign in (sessions end at their next request)

Roles: editor (review, decide, edit and publish digest issues), maintainer (all of that, and the
watch list and run health). Passwords have at least ${MIN_PASSWORD} characters.`,
  options: { role: { type: 'string' }, json: { type: 'boolean' } },
  positionals: { min: 1, max: 2 },
  run: async (ctx, { values, positionals }) => {
    const [action, name] = positionals;
    const file = ctx.env.configFile;
    switch (action) {
      case 'list':
        return listAccounts(
          ctx,
          ctx.config().access.users.map((u) => ({ name: u.name, role: u.role })),
          values.json,
        );
      case 'add': {
        if (!name) throw new UsageError('radar users add: missing NAME');
        const password = await readSecretLine(ctx);
        if ([...password].length < MIN_PASSWORD)
          throw new UsageError(`radar users add: the password must have at least ${MIN_PASSWORD} characters`);
        const change = putAccount(file, 'users', { name, role: roleOf(values.role), password: await hashPassword(password) });
        ctx.stdout.write(`${change.summary}\n`);
        return 0;
      }
      case 'remove':
        if (!name) throw new UsageError('radar users remove: missing NAME');
        ctx.stdout.write(`${removeAccount(file, 'users', name).summary}\n`);
        return 0;
      default:
        throw new UsageError(`radar users: unknown action "${action}" (expected list, add or remove)`);
    }
  },
});

export const tokensCommand = defineCommand({
  name: 'tokens',
  summary: 'API tokens for scripts (Authorization: Bearer), by role',
  usage: 'tokens list | tokens add NAME [--role editor|maintainer] | tokens remove NAME',
  help: `Tokens live in the config file under access.tokens as SHA-256 digests; \`tokens add\` prints
the new token once, on standard output, and it cannot be shown again. Scripts send it as
\`Authorization: Bearer <token>\`; what they do is recorded under the token's name. RADAR_API_TOKEN
is one more token, from the environment, with the editor role (recorded as "automation").

  tokens list           names and roles
  tokens add NAME       a new token (replacing the one of that name)
  tokens remove NAME    the token stops working at once`,
  options: { role: { type: 'string' }, json: { type: 'boolean' } },
  positionals: { min: 1, max: 2 },
  run: async (ctx, { values, positionals }) => {
    const [action, name] = positionals;
    const file = ctx.env.configFile;
    switch (action) {
      case 'list':
        return listAccounts(
          ctx,
          ctx.config().access.tokens.map((t) => ({ name: t.name, role: t.role })),
          values.json,
        );
      case 'add': {
        if (!name) throw new UsageError('radar tokens add: missing NAME');
        const { token, hash } = newToken();
        const change = putAccount(file, 'tokens', { name, role: roleOf(values.role), hash });
        ctx.stderr.write(`${change.summary}; the token (shown once):\n`);
        ctx.stdout.write(`${token}\n`);
        return 0;
      }
      case 'remove':
        if (!name) throw new UsageError('radar tokens remove: missing NAME');
        ctx.stdout.write(`${removeAccount(file, 'tokens', name).summary}\n`);
        return 0;
      default:
        throw new UsageError(`radar tokens: unknown action "${action}" (expected list, add or remove)`);
    }
  },
});

function listAccounts(ctx: CliContext, accounts: Array<{ name: string; role: Role }>, json: boolean | undefined): number {
  if (json) ctx.stdout.write(`${jsonOutput(accounts)}\n`);
  else
    ctx.stdout.write(
      `${formatTable(
        ['name', 'role'],
        accounts.map((a) => [a.name, a.role]),
      )}\n`,
    );
  return 0;
}

/** One line of standard input, without its line ending. */
async function readSecretLine(ctx: CliContext): Promise<string> {
  const input = ctx.stdin;
  if (!input) throw new UsageError('radar users add: give the password on standard input');
  if (input.isTTY) ctx.stderr.write('password (input is not hidden; pipe it in to keep it off the screen): ');
  let text = '';
  for await (const chunk of input) {
    text += chunk.toString();
    if (text.includes('\n')) break;
  }
  const line = text.split(/\r?\n/)[0] ?? '';
  if (!line) throw new UsageError('radar users add: no password on standard input');
  return line;
}
