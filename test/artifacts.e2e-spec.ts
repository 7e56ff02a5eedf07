import {
  act,
  type ArtifactBody,
  auditEventsOf,
  newArtifact,
  newEngagement,
  newEngagementIn,
  newMilestone,
  newPerson,
  readyToActivate,
} from './factories.js';
import { bearer, createTestApp, expectProblem, type TestApp } from './test-app.js';

const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';
const EVIDENCE = 'https://wiki.example.com/runbooks/extraction';

type ProblemBody = ReturnType<typeof expectProblem>;
const fieldsOf = (problem: ProblemBody) => [
  ...new Set((problem.errors ?? []).map((error) => error.field)),
];
const codesOf = (problem: ProblemBody) => (problem.errors ?? []).map((error) => error.code);

describe('knowledge-transfer artifacts', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const base = (engagementId: string) => `/v1/engagements/${engagementId}/artifacts`;
  const get = (path: string, query: Record<string, unknown> = {}) =>
    t.http().get(path).query(query).set(bearer(t.adminKey));
  const post = (
    path: string,
    body: object = {},
    headers: Record<string, string> = {},
    key = t.adminKey,
  ) =>
    t
      .http()
      .post(path)
      .set({ ...bearer(key), ...headers })
      .send(body);
  const patch = (path: string, body: object, headers: Record<string, string> = {}) =>
    t
      .http()
      .patch(path)
      .set({ ...bearer(t.adminKey), ...headers })
      .send(body);
  const read = async (engagementId: string, artifactId: string) =>
    (await get(`${base(engagementId)}/${artifactId}`)).body as ArtifactBody;

  /** Paths of one artifact and its actions. */
  const paths = (engagementId: string, artifactId: string) => {
    const path = `${base(engagementId)}/${artifactId}`;
    return {
      path,
      deliver: `${path}/deliver`,
      accept: `${path}/accept`,
      reject: `${path}/reject`,
    };
  };

  /** A draft with a milestone and an artifact due with it (status `required`). */
  async function draftArtifact() {
    const ready = await readyToActivate(t);
    return { ...ready, ...paths(ready.engagementId, ready.artifactId) };
  }

  describe('creation', () => {
    it('adds an artifact due with a milestone: 201, status required, ETag "1"', async () => {
      const engagement = await newEngagement(t);
      const milestone = await newMilestone(t, t.adminKey, engagement.id);
      const response = await post(base(engagement.id), {
        milestoneId: milestone.id,
        kind: 'architecture_decision_record',
        title: '  ADRs for the extraction pipeline  ',
        description: 'Every decision since the kick-off',
      });
      expect(response.status).toBe(201);
      expect(response.headers.etag).toBe('"1"');
      expect(response.body).toEqual({
        id: expect.any(String),
        engagementId: engagement.id,
        milestoneId: milestone.id,
        kind: 'architecture_decision_record',
        title: 'ADRs for the extraction pipeline',
        description: 'Every decision since the kick-off',
        status: 'required',
        evidenceUrl: null,
        deliveredAt: null,
        acceptedAt: null,
        acceptedById: null,
        rejectionReason: null,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
        version: 1,
      });
      expect(await read(engagement.id, response.body.id)).toEqual(response.body);
    });

    it('accepts every artifact kind of the spec and refuses others', async () => {
      const engagement = await newEngagement(t);
      const milestone = await newMilestone(t, t.adminKey, engagement.id);
      for (const kind of [
        'documentation',
        'runbook',
        'architecture_decision_record',
        'code_walkthrough',
        'training_session',
        'recorded_demo',
        'source_code_access',
        'operational_access',
        'test_suite',
        'other',
      ]) {
        const response = await post(base(engagement.id), {
          milestoneId: milestone.id,
          kind,
          title: kind,
        });
        expect(response.status).toBe(201);
      }
      const response = await post(base(engagement.id), {
        milestoneId: milestone.id,
        kind: 'slides',
        title: 'Deck',
      });
      expect(fieldsOf(expectProblem(response, 400, 'validation'))).toEqual(['kind']);
    });

    it('answers 400 naming every missing field at once', async () => {
      const engagement = await newEngagement(t);
      const problem = expectProblem(await post(base(engagement.id), {}), 400, 'validation');
      expect(fieldsOf(problem).sort()).toEqual(['kind', 'milestoneId', 'title']);
    });

    it('answers 400 naming milestoneId for a milestone of another engagement or none at all', async () => {
      const engagement = await newEngagement(t);
      const other = await newEngagement(t);
      const foreign = await newMilestone(t, t.adminKey, other.id);
      for (const milestoneId of [foreign.id, UNKNOWN_ID]) {
        const response = await post(base(engagement.id), {
          milestoneId,
          kind: 'runbook',
          title: 'Runbook',
        });
        const problem = expectProblem(response, 400, 'validation');
        expect(problem.errors).toEqual([
          { field: 'milestoneId', message: 'milestoneId must be a milestone of this engagement' },
        ]);
      }
      expect((await get(base(engagement.id))).body.items).toEqual([]);
    });

    it('answers 404 for an engagement or artifact that does not exist, also across engagements', async () => {
      expectProblem(
        await post(base(UNKNOWN_ID), { milestoneId: UNKNOWN_ID, kind: 'runbook', title: 'R' }),
        404,
        'not-found',
      );
      expectProblem(await get(base(UNKNOWN_ID)), 404, 'not-found');
      const a = await draftArtifact();
      const b = await draftArtifact();
      const crossed = paths(a.engagementId, b.artifactId);
      expectProblem(await get(crossed.path), 404, 'not-found');
      expectProblem(await patch(crossed.path, { title: 'Hijacked' }), 404, 'not-found');
      expectProblem(await post(crossed.deliver, { evidenceUrl: EVIDENCE }), 404, 'not-found');
      expectProblem(await get(`${base(a.engagementId)}/${UNKNOWN_ID}`), 404, 'not-found');
      expect((await read(b.engagementId, b.artifactId)).status).toBe('required');
    });

    it('may be added after activation', async () => {
      const active = await newEngagementIn(t, 'active');
      const artifact = await newArtifact(
        t,
        t.adminKey,
        active.engagementId,
        active.finalHandoverId,
      );
      expect(artifact.status).toBe('required');
    });
  });

  describe('changes (PATCH)', () => {
    it('changes title, kind, description and milestone; status is not writable', async () => {
      const draft = await draftArtifact();
      const other = await newMilestone(t, t.adminKey, draft.engagementId);
      const response = await patch(draft.path, {
        title: 'Operations runbook',
        kind: 'documentation',
        description: null,
        milestoneId: other.id,
      });
      expect(response.status).toBe(200);
      expect(response.headers.etag).toBe('"2"');
      expect(response.body).toMatchObject({
        title: 'Operations runbook',
        kind: 'documentation',
        description: null,
        milestoneId: other.id,
        status: 'required',
        version: 2,
      });
      for (const body of [{ status: 'accepted' }, { acceptedById: draft.productOwnerId }]) {
        const refused = await patch(draft.path, body);
        expect(fieldsOf(expectProblem(refused, 400, 'validation'))).toEqual(Object.keys(body));
      }
      expect((await read(draft.engagementId, draft.artifactId)).status).toBe('required');
    });

    it('answers 400 naming milestoneId when moving it to a milestone of another engagement', async () => {
      const draft = await draftArtifact();
      const other = await newEngagement(t);
      const foreign = await newMilestone(t, t.adminKey, other.id);
      const response = await patch(draft.path, { milestoneId: foreign.id });
      expect(fieldsOf(expectProblem(response, 400, 'validation'))).toEqual(['milestoneId']);
      expect((await read(draft.engagementId, draft.artifactId)).milestoneId).toBe(
        draft.finalHandoverId,
      );
    });
  });

  describe('review cycle', () => {
    it('delivers a required artifact with its evidence', async () => {
      const draft = await draftArtifact();
      const response = await post(draft.deliver, {
        evidenceUrl: EVIDENCE,
        notes: 'Walked through',
      });
      expect(response.status).toBe(200);
      expect(response.headers.etag).toBe('"2"');
      expect(response.body).toMatchObject({
        status: 'delivered',
        evidenceUrl: EVIDENCE,
        deliveredAt: expect.any(String),
        version: 2,
      });
    });

    it('answers 400 naming evidenceUrl when it is missing or not an http(s) URL', async () => {
      const draft = await draftArtifact();
      for (const body of [
        {},
        { evidenceUrl: 'ftp://files.example.com/x' },
        { evidenceUrl: 'soon' },
      ]) {
        const response = await post(draft.deliver, body);
        expect(fieldsOf(expectProblem(response, 400, 'validation'))).toEqual(['evidenceUrl']);
      }
      expect((await read(draft.engagementId, draft.artifactId)).status).toBe('required');
    });

    it('delivers only from required or rejected (409 INVALID_ARTIFACT_STATUS otherwise)', async () => {
      const draft = await draftArtifact();
      await act(t, draft.deliver, { evidenceUrl: EVIDENCE });
      const twice = await post(draft.deliver, { evidenceUrl: EVIDENCE });
      expect(codesOf(expectProblem(twice, 409, 'conflict'))).toEqual(['INVALID_ARTIFACT_STATUS']);
      await act(t, draft.accept, { acceptedById: draft.productOwnerId });
      const afterAcceptance = await post(draft.deliver, { evidenceUrl: EVIDENCE });
      expect(codesOf(expectProblem(afterAcceptance, 409, 'conflict'))).toEqual([
        'INVALID_ARTIFACT_STATUS',
      ]);
      expect((await read(draft.engagementId, draft.artifactId)).status).toBe('accepted');
    });

    it('accepts or rejects only a delivered artifact (409 INVALID_ARTIFACT_STATUS)', async () => {
      const draft = await draftArtifact();
      const acceptRequired = await post(draft.accept, { acceptedById: draft.productOwnerId });
      expect(codesOf(expectProblem(acceptRequired, 409, 'conflict'))).toEqual([
        'INVALID_ARTIFACT_STATUS',
      ]);
      const rejectRequired = await post(draft.reject, { reason: 'Not there yet' });
      expect(codesOf(expectProblem(rejectRequired, 409, 'conflict'))).toEqual([
        'INVALID_ARTIFACT_STATUS',
      ]);

      await act(t, draft.deliver, { evidenceUrl: EVIDENCE });
      await act(t, draft.reject, { reason: 'Skips the replay procedure' });
      for (const [path, body] of [
        [draft.accept, { acceptedById: draft.productOwnerId }],
        [draft.reject, { reason: 'Again' }],
      ] as const) {
        const response = await post(path, body);
        expect(codesOf(expectProblem(response, 409, 'conflict'))).toEqual([
          'INVALID_ARTIFACT_STATUS',
        ]);
      }

      await act(t, draft.deliver, { evidenceUrl: EVIDENCE });
      await act(t, draft.accept, { acceptedById: draft.productOwnerId });
      for (const [path, body] of [
        [draft.accept, { acceptedById: draft.productOwnerId }],
        [draft.reject, { reason: 'Changed my mind' }],
      ] as const) {
        const response = await post(path, body);
        expect(codesOf(expectProblem(response, 409, 'conflict'))).toEqual([
          'INVALID_ARTIFACT_STATUS',
        ]);
      }
      expect((await read(draft.engagementId, draft.artifactId)).status).toBe('accepted');
    });

    it('lets the product owner or a knowledge recipient accept, recording who and when', async () => {
      const draft = await draftArtifact();
      await act(t, draft.deliver, { evidenceUrl: EVIDENCE });
      const byRecipient = await post(draft.accept, {
        acceptedById: draft.knowledgeRecipientId,
        notes: 'Ran the drill',
      });
      expect(byRecipient.status).toBe(200);
      expect(byRecipient.body).toMatchObject({
        status: 'accepted',
        acceptedById: draft.knowledgeRecipientId,
        acceptedAt: expect.any(String),
      });

      const other = await newArtifact(t, t.adminKey, draft.engagementId, draft.finalHandoverId);
      const otherPaths = paths(draft.engagementId, other.id);
      await act(t, otherPaths.deliver, { evidenceUrl: EVIDENCE });
      const byOwner = await post(otherPaths.accept, { acceptedById: draft.productOwnerId });
      expect(byOwner.status).toBe(200);
      expect(byOwner.body.acceptedById).toBe(draft.productOwnerId);
    });

    it('answers 400 naming acceptedById for anyone else, or nobody', async () => {
      const draft = await draftArtifact();
      await act(t, draft.deliver, { evidenceUrl: EVIDENCE });
      const stranger = await newPerson(t);
      for (const acceptedById of [
        stranger.id,
        draft.tradeOffOwnerId,
        UNKNOWN_ID,
        'me',
        undefined,
      ]) {
        const response = await post(draft.accept, { acceptedById });
        expect(fieldsOf(expectProblem(response, 400, 'validation'))).toEqual(['acceptedById']);
      }
      expect((await read(draft.engagementId, draft.artifactId)).status).toBe('delivered');
    });

    it('checks the acceptor against the knowledge recipients of now, not of creation', async () => {
      const draft = await draftArtifact();
      const newcomer = await newPerson(t);
      await act(t, draft.deliver, { evidenceUrl: EVIDENCE });
      const before = await post(draft.accept, { acceptedById: newcomer.id });
      expectProblem(before, 400, 'validation');
      const changed = await patch(`/v1/engagements/${draft.engagementId}`, {
        knowledgeRecipientIds: [newcomer.id],
      });
      expect(changed.status).toBe(200);
      const formerRecipient = await post(draft.accept, {
        acceptedById: draft.knowledgeRecipientId,
      });
      expectProblem(formerRecipient, 400, 'validation');
      expect((await post(draft.accept, { acceptedById: newcomer.id })).status).toBe(200);
    });

    it('rejects with a reason (400 naming reason without one) and takes a new delivery', async () => {
      const draft = await draftArtifact();
      await act(t, draft.deliver, { evidenceUrl: EVIDENCE });
      for (const body of [{}, { reason: '' }, { reason: '  ' }]) {
        const response = await post(draft.reject, body);
        expect(fieldsOf(expectProblem(response, 400, 'validation'))).toEqual(['reason']);
      }
      const rejected = await post(draft.reject, { reason: '  No escalation contacts  ' });
      expect(rejected.status).toBe(200);
      expect(rejected.body).toMatchObject({
        status: 'rejected',
        rejectionReason: 'No escalation contacts',
      });

      const redelivered = await post(draft.deliver, { evidenceUrl: `${EVIDENCE}-v2` });
      expect(redelivered.status).toBe(200);
      expect(redelivered.body).toMatchObject({
        status: 'delivered',
        evidenceUrl: `${EVIDENCE}-v2`,
        rejectionReason: null,
      });
      const accepted = await post(draft.accept, { acceptedById: draft.productOwnerId });
      expect(accepted.body.status).toBe('accepted');
    });
  });

  describe('closed engagements', () => {
    it.each(['completed', 'cancelled'] as const)(
      'refuses every change to an artifact of a %s engagement with 409 ENGAGEMENT_CLOSED',
      async (status) => {
        const closed = await newEngagementIn(t, status);
        const artifact = paths(closed.engagementId, closed.artifactId);
        const before = await read(closed.engagementId, closed.artifactId);
        const attempts = [
          await post(base(closed.engagementId), {
            milestoneId: closed.finalHandoverId,
            kind: 'runbook',
            title: 'Late runbook',
          }),
          await patch(artifact.path, { title: 'Renamed' }),
          await post(artifact.deliver, { evidenceUrl: EVIDENCE }),
          await post(artifact.accept, { acceptedById: closed.productOwnerId }),
          await post(artifact.reject, { reason: 'Too late' }),
        ];
        for (const response of attempts)
          expect(codesOf(expectProblem(response, 409, 'conflict'))).toEqual(['ENGAGEMENT_CLOSED']);
        expect(await read(closed.engagementId, closed.artifactId)).toEqual(before);
        expect((await get(base(closed.engagementId))).body.items).toHaveLength(1);
      },
    );
  });

  describe('lists', () => {
    it('filters by status and milestoneId', async () => {
      const draft = await draftArtifact();
      const second = await newMilestone(t, t.adminKey, draft.engagementId);
      const onSecond = await newArtifact(t, t.adminKey, draft.engagementId, second.id);
      const delivered = await newArtifact(t, t.adminKey, draft.engagementId, second.id);
      await act(t, paths(draft.engagementId, delivered.id).deliver, { evidenceUrl: EVIDENCE });
      const ids = async (query: Record<string, unknown>) => {
        const response = await get(base(draft.engagementId), query);
        expect(response.status).toBe(200);
        return response.body.items.map((item: ArtifactBody) => item.id);
      };
      expect(await ids({})).toEqual([draft.artifactId, onSecond.id, delivered.id]);
      expect(await ids({ status: 'required' })).toEqual([draft.artifactId, onSecond.id]);
      expect(await ids({ status: 'delivered' })).toEqual([delivered.id]);
      expect(await ids({ status: 'accepted' })).toEqual([]);
      expect(await ids({ milestoneId: second.id })).toEqual([onSecond.id, delivered.id]);
      expect(await ids({ milestoneId: second.id, status: 'required' })).toEqual([onSecond.id]);
      for (const [query, field] of [
        [{ status: 'done' }, 'status'],
        [{ milestoneId: 'm1' }, 'milestoneId'],
        [{ limit: 500 }, 'limit'],
      ] as const) {
        const problem = expectProblem(
          await get(base(draft.engagementId), query),
          400,
          'validation',
        );
        expect(fieldsOf(problem)).toEqual([field]);
      }
    });

    it('pages with limit and cursor in a stable order, each artifact once', async () => {
      const draft = await draftArtifact();
      const created = [draft.artifactId];
      for (let i = 0; i < 4; i++)
        created.push(
          (await newArtifact(t, t.adminKey, draft.engagementId, draft.finalHandoverId)).id,
        );
      const pages: string[][] = [];
      let cursor: string | null = null;
      do {
        const response = await get(base(draft.engagementId), {
          limit: 2,
          ...(cursor ? { cursor } : {}),
        });
        expect(response.status).toBe(200);
        pages.push(response.body.items.map((item: ArtifactBody) => item.id));
        cursor = response.body.nextCursor;
      } while (cursor);
      expect(pages.map((page) => page.length)).toEqual([2, 2, 1]);
      expect(pages.flat()).toEqual(created);
    });
  });

  describe('concurrency', () => {
    it('answers 412 for a stale If-Match on PATCH and writes nothing', async () => {
      const draft = await draftArtifact();
      expect((await patch(draft.path, { title: 'Second' }, { 'If-Match': '"1"' })).status).toBe(
        200,
      );
      const stale = await patch(draft.path, { title: 'Third' }, { 'If-Match': '"1"' });
      expectProblem(stale, 412, 'precondition-failed');
      expect(stale.headers.etag).toBe('"2"');
      expect(await read(draft.engagementId, draft.artifactId)).toMatchObject({
        title: 'Second',
        version: 2,
      });
    });

    it('answers 412 for a stale If-Match on an action and writes nothing', async () => {
      const draft = await draftArtifact();
      await act(t, draft.deliver, { evidenceUrl: EVIDENCE });
      const stale = await post(
        draft.accept,
        { acceptedById: draft.productOwnerId },
        { 'If-Match': '"1"' },
      );
      expectProblem(stale, 412, 'precondition-failed');
      expect(await read(draft.engagementId, draft.artifactId)).toMatchObject({
        status: 'delivered',
        acceptedById: null,
        version: 2,
      });
      const current = await post(
        draft.accept,
        { acceptedById: draft.productOwnerId },
        { 'If-Match': '"2"' },
      );
      expect(current.status).toBe(200);
      expect(current.headers.etag).toBe('"3"');
    });

    it('lets one of two concurrent acceptances win', async () => {
      const draft = await draftArtifact();
      await act(t, draft.deliver, { evidenceUrl: EVIDENCE });
      const responses = await Promise.all([
        post(draft.accept, { acceptedById: draft.productOwnerId }),
        post(draft.accept, { acceptedById: draft.knowledgeRecipientId }),
      ]);
      expect(responses.map((response) => response.status).sort()).toEqual([200, 409]);
      const accepted = (await auditEventsOf(t, 'artifact', draft.artifactId)).filter(
        (event) => event.action === 'artifact.accepted',
      );
      expect(accepted).toHaveLength(1);
    });
  });

  describe('audit', () => {
    it('writes events for creation, change, delivery, rejection and acceptance', async () => {
      const draft = await draftArtifact();
      await patch(draft.path, { title: 'On-call runbook' });
      await act(t, draft.deliver, { evidenceUrl: EVIDENCE, notes: 'First cut' });
      await act(t, draft.reject, { reason: 'Missing replay procedure' });
      await act(t, draft.deliver, { evidenceUrl: `${EVIDENCE}-v2` });
      await act(t, draft.accept, { acceptedById: draft.productOwnerId, notes: 'Drill passed' });

      const events = await auditEventsOf(t, 'artifact', draft.artifactId);
      expect(events.map((event) => event.action)).toEqual([
        'artifact.created',
        'artifact.updated',
        'artifact.delivered',
        'artifact.rejected',
        'artifact.delivered',
        'artifact.accepted',
      ]);
      for (const event of events) {
        expect(event).toMatchObject({
          entityType: 'artifact',
          entityId: draft.artifactId,
          actor: { apiKeyId: expect.any(String), name: expect.any(String), role: 'admin' },
        });
      }
      expect(events[0].changes).toMatchObject({
        status: { from: null, to: 'required' },
        milestoneId: { from: null, to: draft.finalHandoverId },
      });
      expect(events[1].changes).toEqual({
        title: { from: draft.artifact.title, to: 'On-call runbook' },
      });
      expect(events[2].changes).toEqual({
        status: { from: 'required', to: 'delivered' },
        evidenceUrl: { from: null, to: EVIDENCE },
        notes: { from: null, to: 'First cut' },
      });
      expect(events[3].changes).toEqual({
        status: { from: 'delivered', to: 'rejected' },
        rejectionReason: { from: null, to: 'Missing replay procedure' },
      });
      expect(events[5].changes).toEqual({
        status: { from: 'delivered', to: 'accepted' },
        acceptedById: { from: null, to: draft.productOwnerId },
        notes: { from: null, to: 'Drill passed' },
      });
    });
  });
});
