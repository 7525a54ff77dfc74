/**
 * Who acts, and what they may do. Editors review candidates, decide, edit and publish digest
 * issues; maintainers may do all that, and see the watch list and run health. A role is checked
 * on every request; the editor recorded with a decision is the signed-in account, never a
 * header.
 */
export const ROLES = ['editor', 'maintainer'] as const;
export type Role = (typeof ROLES)[number];

export interface Principal {
  /** The account: a user of the config, a token's name, or "automation" for RADAR_API_TOKEN. */
  name: string;
  role: Role;
  /** How the request proved it: a session cookie (then CSRF checks apply), or a bearer token. */
  via: 'session' | 'token';
}

/** Whether a role may do what `needed` allows: a maintainer may do everything an editor may. */
export function allows(role: Role, needed: Role): boolean {
  return role === 'maintainer' || needed === 'editor';
}
