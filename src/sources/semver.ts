import type { SemVer } from '../domain/item.js';

/**
 * Reads a release tag as a semantic version: "v1.15.0-alpha.1", "1.2.0-rc.3", "v0.6.0",
 * "kubernetes-1.14.1" (a prefix before the version is allowed). Null when there is none.
 */
export function parseSemVer(tag: string): SemVer | null {
  const match =
    /(?:^|[^\d.])v?(\d+)\.(\d+)(?:\.(\d+))?(?:[-.]?((?:alpha|beta|rc|pre|dev|preview)[0-9A-Za-z.-]*|[0-9A-Za-z]+(?:\.[0-9A-Za-z]+)*))?$/i.exec(
      tag.trim(),
    );
  if (!match) return null;
  return {
    major: Number(match[1]),
    minor: Number(match[2]),
    patch: Number(match[3] ?? 0),
    prerelease: match[4] ? match[4].replace(/^[-.]/, '') : null,
  };
}

/** Orders versions as semver does: a pre-release sorts before its release. */
export function compareSemVer(a: SemVer, b: SemVer): number {
  if (a.major !== b.major) return a.major - b.major;
  if (a.minor !== b.minor) return a.minor - b.minor;
  if (a.patch !== b.patch) return a.patch - b.patch;
  if (a.prerelease === b.prerelease) return 0;
  if (a.prerelease === null) return 1;
  if (b.prerelease === null) return -1;
  return comparePrerelease(a.prerelease, b.prerelease);
}

function comparePrerelease(a: string, b: string): number {
  const left = a.split('.');
  const right = b.split('.');
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const x = left[i];
    const y = right[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const nx = /^\d+$/.test(x) ? Number(x) : null;
    const ny = /^\d+$/.test(y) ? Number(y) : null;
    if (nx !== null && ny !== null) {
      if (nx !== ny) return nx - ny;
    } else if (nx !== null) return -1;
    else if (ny !== null) return 1;
    else if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** "patch" | "minor" | "major" for a release version (x.0.0 major, x.y.0 minor). */
export function releaseLevel(version: SemVer): 'major' | 'minor' | 'patch' {
  if (version.minor === 0 && version.patch === 0 && version.major > 0) return 'major';
  if (version.patch === 0) return 'minor';
  return 'patch';
}
