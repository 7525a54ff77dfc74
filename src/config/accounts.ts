import { isMap, isSeq, type YAMLMap, type YAMLSeq } from 'yaml';
import type { Role } from '../domain/access.js';
import { NotFoundError } from '../lib/errors.js';
import { readDocument, writeDocument } from './edit.js';
import { displayPath } from './load.js';

/**
 * Edits the accounts of the config file (access.users, access.tokens) in place, keeping its
 * comments: the file stays the one place that says who may sign in. Secrets never reach the
 * file in the clear: users by scrypt hash, tokens by SHA-256.
 */

export type AccountList = 'users' | 'tokens';

export interface AccountChange {
  summary: string;
}

/** Adds an account, or replaces the one of that name (a new password or token, a new role). */
export function putAccount(
  file: string,
  list: AccountList,
  account: { name: string; role: Role } & ({ password: string } | { hash: string }),
): AccountChange {
  const doc = readDocument(file);
  const entries = listOf(doc, list);
  const index = indexOf(entries, account.name);
  const node = doc.createNode(account) as YAMLMap;
  if (index >= 0) entries.items.splice(index, 1, node);
  else entries.items.push(node);
  writeDocument(file, doc);
  const what = list === 'users' ? 'user' : 'token';
  return { summary: `${index >= 0 ? 'replaced' : 'added'} ${what} ${account.name} (${account.role}) in ${displayPath(file)}` };
}

export function removeAccount(file: string, list: AccountList, name: string): AccountChange {
  const doc = readDocument(file);
  const entries = listOf(doc, list);
  const index = indexOf(entries, name);
  const what = list === 'users' ? 'user' : 'token';
  if (index < 0) throw new NotFoundError(`no ${what} named ${name} in ${displayPath(file)}`);
  entries.items.splice(index, 1);
  writeDocument(file, doc);
  return { summary: `removed ${what} ${name} from ${displayPath(file)}` };
}

/** access.users or access.tokens, created (as an empty list) when the file has none. */
function listOf(doc: ReturnType<typeof readDocument>, list: AccountList): YAMLSeq {
  if (!doc.hasIn(['access', list])) doc.setIn(['access', list], doc.createNode([]));
  const entries = doc.getIn(['access', list], true);
  if (!isSeq(entries)) throw new NotFoundError(`access.${list}: expected a list`);
  return entries;
}

function indexOf(entries: YAMLSeq, name: string): number {
  return entries.items.findIndex((e) => isMap(e) && String(e.get('name')).toLowerCase() === name.toLowerCase());
}
