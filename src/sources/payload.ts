/**
 * GitHub payloads are kept as received, minus the REST API's navigation links (`url`,
 * `comments_url`, `labels_url`, ... and `_links`): they say nothing about the change, make up
 * about half of a listing's bytes, and can be rebuilt from owner/repo/number. `html_url` (the
 * page people read) is kept.
 */
export function compactPayload<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => compactPayload(v)) as T;
  if (!value || typeof value !== 'object') return value;
  const result: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
    if (key === '_links' || key === 'url' || (key.endsWith('_url') && key !== 'html_url')) continue;
    result[key] = compactPayload(inner);
  }
  return result as T;
}
