import type { Role } from '../../src/auth/role.js';
import { addDays, todayUtc } from '../../src/common/dates.js';
import { ROLES } from '../../src/auth/role.js';
import {
  act,
  draftEngagement,
  newEngagementIn,
  newPerson,
  newVendor,
  readyToActivate,
} from '../factories.js';
import { bearer, type TestApp } from '../test-app.js';

/** Ids that exist in the seeded database, for path parameters and references in bodies. */
export interface SeededIds {
  vendors: string[];
  people: string[];
  engagements: string[];
  reports: string[];
  weeks: string[];
  /** API keys the fuzzer may revoke (never the keys it sends). */
  apiKeys: string[];
  /**
   * Engagement, one of its milestones, one of its artifacts, one of its drills and one of its
   * learning sprints.
   */
  triples: { id: string; mid: string; aid: string; did: string; sid: string }[];
}

export interface Seeded {
  ids: SeededIds;
  keys: Record<Role, string>;
}

/** A small portfolio in every state, a weekly report, and one key per role. */
export async function seedForFuzzing(t: TestApp): Promise<Seeded> {
  const owner = await newPerson(t);
  const keys = {} as Record<Role, string>;
  for (const role of ROLES) {
    keys[role] =
      role === 'admin'
        ? t.adminKey
        : await t.keyFor(role, role === 'product_owner' ? owner.id : undefined);
  }
  const triples: Omit<SeededIds['triples'][number], 'did' | 'sid'>[] = [];
  const engagements: string[] = [];
  const track = (id: string, mid: string, aid: string) => {
    engagements.push(id);
    triples.push({ id, mid, aid });
  };

  const draft = await readyToActivate(t, t.adminKey, { productOwnerId: owner.id });
  track(draft.engagementId, draft.finalHandoverId, draft.artifactId);
  for (const status of ['active', 'completed', 'cancelled'] as const) {
    const built = await newEngagementIn(t, status);
    track(built.engagementId, built.finalHandoverId, built.artifactId);
  }
  const planned = await draftEngagement(t, { artifacts: 2, recipients: 1 });
  await act(t, `/v1/engagements/${planned.engagement.id}/activate`);
  const base = `/v1/engagements/${planned.engagement.id}/artifacts/${planned.artifacts[0].id}`;
  await act(t, `${base}/deliver`, { evidenceUrl: 'https://wiki.example.com/doc' });
  track(planned.engagement.id, planned.finalHandover.id, planned.artifacts[0].id);
  track(planned.engagement.id, planned.finalHandover.id, planned.artifacts[1].id);
  await newVendor(t);

  const report = await t.http().post('/v1/reports/weekly').set(bearer(keys.reporter)).send({});
  if (report.status !== 201) throw new Error(`Seeding the report answered ${report.status}`);
  const spareKey = await t
    .http()
    .post('/v1/api-keys')
    .set(bearer(t.adminKey))
    .send({ name: 'Fuzzer may revoke this', role: 'viewer' });

  // A scheduled drill and a planned learning sprint on each open engagement, so that recording
  // or completing one can succeed once; a closed engagement is paired with another's drill and
  // sprint (its own paths then answer 404). The sprint prepares the final handover (each
  // triple's milestone), with the product owner as mentor, and started yesterday: it may be
  // completed today.
  const drills = new Map<string, string>();
  const sprints = new Map<string, string>();
  const finalHandovers = new Map(triples.map((triple) => [triple.id, triple.mid]));
  for (const id of new Set(engagements)) {
    const engagement = await t.http().get(`/v1/engagements/${id}`).set(bearer(t.adminKey));
    const participantIds = (engagement.body.knowledgeRecipientIds as string[]).slice(0, 1);
    if (['completed', 'cancelled'].includes(engagement.body.status) || participantIds.length === 0)
      continue;
    const drill = await t
      .http()
      .post(`/v1/engagements/${id}/drills`)
      .set(bearer(t.adminKey))
      .send({ kind: 'restore', title: 'Restore drill', scenario: 'Restore it', participantIds });
    if (drill.status !== 201) throw new Error(`Seeding a drill answered ${drill.status}`);
    drills.set(id, drill.body.id as string);
    const sprint = await t
      .http()
      .post(`/v1/engagements/${id}/learning-sprints`)
      .set(bearer(t.adminKey))
      .send({
        goal: 'Operate the pipeline without the vendor',
        milestoneId: finalHandovers.get(id),
        mentorId: engagement.body.productOwnerId,
        learnerIds: participantIds,
        startsOn: addDays(todayUtc(), -1),
        endsOn: addDays(todayUtc(), 27),
      });
    if (sprint.status !== 201) {
      throw new Error(
        `Seeding a learning sprint answered ${sprint.status}: ${JSON.stringify(sprint.body)}`,
      );
    }
    sprints.set(id, sprint.body.id as string);
  }
  const anyDrill = [...drills.values()][0];
  const anySprint = [...sprints.values()][0];

  const rows = async (sql: string) =>
    ((await t.dataSource.query(sql)) as { id: string }[]).map((row) => row.id);
  return {
    keys,
    ids: {
      vendors: await rows('SELECT id FROM vendors'),
      people: await rows('SELECT id FROM people'),
      engagements,
      reports: [report.body.id as string],
      weeks: [report.body.week as string],
      apiKeys: [spareKey.body.id as string],
      triples: triples.map((triple) => ({
        ...triple,
        did: drills.get(triple.id) ?? anyDrill,
        sid: sprints.get(triple.id) ?? anySprint,
      })),
    },
  };
}
