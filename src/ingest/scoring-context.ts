import type { PullDetails, ReleaseDetails } from '../domain/item.js';
import { append } from '../lib/maps.js';
import type { ProposalFact, ReleaseFact } from '../scoring/features.js';
import { kepLocation } from '../sources/kep-document.js';
import type { Db } from '../store/db.js';
import { loadKepProposals, loadReleasesOfProjects, type StoredForScoring, type StoredProposal } from '../store/scoring.js';

/**
 * What scoring an item compares it with, beyond the item itself: the other releases of its repo
 * (which pre-release came first), the releases of its project (which release a KEP's move falls
 * before), and for a KEP the kubernetes/enhancements pull requests that propose or change it
 * (their discussion, SIG labels). Built from the store, no GitHub request.
 */
export interface ScoringFacts {
  of(item: Pick<StoredForScoring, 'id' | 'repoId' | 'project'>): {
    releases: ReleaseFact[];
    projectReleases: ReleaseFact[];
    proposals: ProposalFact[];
  };
}

/** The facts for these items, read from the store (for a candidate list or a decision). */
export async function loadScoringFacts(db: Db, items: readonly StoredForScoring[]): Promise<ScoringFacts> {
  const releases = await loadReleasesOfProjects(db, [...new Set(items.map((i) => i.project))]);
  const keps = new Map(items.filter((i) => i.kind === 'kep').map((i) => [i.id, i]));
  const proposals = (await loadKepProposals(db, [...keps.keys()])).filter((p) =>
    kepsChanged((p.details as Partial<PullDetails>).files).includes(
      (keps.get(p.kepId)?.details as { location?: string } | undefined)?.location ?? '',
    ),
  );
  return factsFrom(releases, proposals);
}

function factsFrom(
  releases: ReadonlyArray<{ repoId: number; project: string; details: Record<string, unknown>; occurredAt: Date }>,
  proposals: readonly StoredProposal[],
): ScoringFacts {
  const byRepo = new Map<number, ReleaseFact[]>();
  const byProject = new Map<string, ReleaseFact[]>();
  for (const release of releases) {
    const details = release.details as unknown as ReleaseDetails;
    const fact = { version: details.version ?? null, prerelease: details.prerelease ?? false, occurredAt: release.occurredAt };
    append(byRepo, release.repoId, fact);
    append(byProject, release.project, fact);
  }
  const byKep = new Map<number, ProposalFact[]>();
  for (const p of proposals) {
    const d = p.details as Partial<PullDetails>;
    append(byKep, p.kepId, {
      number: p.number,
      labels: p.labels,
      comments: d.comments ?? null,
      reviews: d.reviews ?? null,
      reactions: d.reactions ?? null,
      additions: d.additions ?? null,
    });
  }
  return {
    of: (item) => ({
      releases: byRepo.get(item.repoId) ?? [],
      projectReleases: byProject.get(item.project) ?? [],
      proposals: byKep.get(item.id) ?? [],
    }),
  };
}

/**
 * The KEPs a pull request adds or changes: the places of the KEP documents among its files. A
 * pull request that edits more than two KEPs is housekeeping (a table of contents, metadata
 * fixes, a folder reorganised), not a proposal, and belongs to none of them.
 */
export function kepsChanged(files: PullDetails['files'] | undefined): string[] {
  if (!Array.isArray(files)) return [];
  const documents = files.filter((f) => f.path.startsWith('keps/') && /(\.md|\/kep\.yaml)$/.test(f.path));
  const locations = [...new Set(documents.map((f) => kepLocation(f.path)))];
  return locations.length <= 2 ? locations : [];
}
