import {
  act,
  auditEventsOf,
  daysFromToday,
  type EngagementBody,
  newArtifact,
  newEngagement,
  newEngagementIn,
  newMilestone,
  newPerson,
  newVendor,
  readyToActivate,
  uniqueSuffix,
  validSpec,
} from './factories.js';
import { bearer, createTestApp, expectProblem, type TestApp } from './test-app.js';

const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

type ProblemBody = ReturnType<typeof expectProblem>;
const fieldsOf = (problem: ProblemBody) => (problem.errors ?? []).map((error) => error.field);
const codesOf = (problem: ProblemBody) => (problem.errors ?? []).map((error) => error.code);

describe('engagements', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const get = (path: string, query: Record<string, unknown> = {}) =>
    t.http().get(path).query(query).set(bearer(t.adminKey));
  const post = (path: string, body: object = {}, headers: Record<string, string> = {}) =>
    t
      .http()
      .post(path)
      .set({ ...bearer(t.adminKey), ...headers })
      .send(body);
  const patch = (id: string, body: object, headers: Record<string, string> = {}) =>
    t
      .http()
      .patch(`/v1/engagements/${id}`)
      .set({ ...bearer(t.adminKey), ...headers })
      .send(body);

  /** A create body with valid references and spec; `fields` are laid over it. */
  async function createBody(
    fields: Record<string, unknown> = {},
  ): Promise<Record<string, unknown>> {
    const vendor = await newVendor(t);
    const owner = await newPerson(t);
    return {
      title: `Invoice extraction ${uniqueSuffix()}`,
      vendorId: vendor.id,
      productOwnerId: owner.id,
      spec: validSpec(owner.id),
      ...fields,
    };
  }

  /** Every id of a filtered list, paging through it. */
  async function listIds(query: Record<string, unknown>): Promise<string[]> {
    const response = await get('/v1/engagements', { limit: 200, ...query });
    expect(response.status).toBe(200);
    expect(response.body.nextCursor).toBeNull();
    return response.body.items.map((item: EngagementBody) => item.id);
  }

  describe('creation', () => {
    it('creates a draft with version 1, ETag "1", no knowledge recipients and notice period 0', async () => {
      const body = await createBody({ title: '  Invoice data extraction  ' });
      const spec = body.spec as ReturnType<typeof validSpec>;
      spec.problem = '  Accounts payable keys 4,000 invoices a month by hand.  ';
      const response = await post('/v1/engagements', body);
      expect(response.status).toBe(201);
      expect(response.headers.etag).toBe('"1"');
      expect(response.body).toMatchObject({
        id: expect.any(String),
        title: 'Invoice data extraction',
        vendorId: body.vendorId,
        contractRef: null,
        status: 'draft',
        productOwnerId: body.productOwnerId,
        knowledgeRecipientIds: [],
        noticePeriodDays: 0,
        contractEndDate: null,
        lastSafeHandoverDate: null,
        activatedAt: null,
        completedAt: null,
        cancelledAt: null,
        cancelReason: null,
        version: 1,
      });
      expect(response.body.spec.problem).toBe(
        'Accounts payable keys 4,000 invoices a month by hand.',
      );
      const read = await get(`/v1/engagements/${response.body.id}`);
      expect(read.status).toBe(200);
      expect(read.headers.etag).toBe('"1"');
      expect(read.body).toEqual(response.body);
    });

    it('answers 400 naming each missing spec field at once when the spec is absent', async () => {
      const body = await createBody({ spec: undefined });
      const response = await post('/v1/engagements', body);
      const problem = expectProblem(response, 400, 'validation');
      expect(fieldsOf(problem).sort()).toEqual([
        'spec.constraints',
        'spec.problem',
        'spec.successMetrics',
        'spec.tradeOffOwnerId',
      ]);
    });

    it('answers 400 naming each missing spec field of a partial spec', async () => {
      const body = await createBody({
        spec: { problem: 'Supplier invoices are keyed by hand, which takes 3 FTE.' },
      });
      const problem = expectProblem(await post('/v1/engagements', body), 400, 'validation');
      expect(fieldsOf(problem).sort()).toEqual([
        'spec.constraints',
        'spec.successMetrics',
        'spec.tradeOffOwnerId',
      ]);
    });

    it('answers 400 naming every missing field of an empty body, spec fields included', async () => {
      const problem = expectProblem(await post('/v1/engagements', {}), 400, 'validation');
      expect(new Set(fieldsOf(problem))).toEqual(
        new Set([
          'title',
          'vendorId',
          'productOwnerId',
          'spec.problem',
          'spec.successMetrics',
          'spec.constraints',
          'spec.tradeOffOwnerId',
        ]),
      );
    });

    it('names the problems of the spec together with those of the other fields', async () => {
      const body = await createBody({ title: 'x', vendorId: 'acme' });
      const spec = body.spec as ReturnType<typeof validSpec>;
      const response = await post('/v1/engagements', {
        ...body,
        spec: { ...spec, problem: 'TBD', constraints: undefined },
      });
      const problem = expectProblem(response, 400, 'validation');
      expect(new Set(fieldsOf(problem))).toEqual(
        new Set(['title', 'vendorId', 'spec.problem', 'spec.constraints']),
      );
    });

    it.each(['TBD', 'tbd', 'TODO', 'n/a', 'N/A', '-', '?', '...', '…', '   '])(
      'rejects the placeholder %j in every spec text field',
      async (placeholder) => {
        const body = await createBody();
        const spec = body.spec as ReturnType<typeof validSpec>;
        const response = await post('/v1/engagements', {
          ...body,
          spec: {
            ...spec,
            problem: placeholder,
            successMetrics: [{ name: placeholder, target: placeholder }],
            constraints: ['Runs on our Azure tenant', placeholder],
            tradeOffRule: placeholder,
          },
        });
        const problem = expectProblem(response, 400, 'validation');
        expect(fieldsOf(problem).sort()).toEqual([
          'spec.constraints[1]',
          'spec.problem',
          'spec.successMetrics[0].name',
          'spec.successMetrics[0].target',
          'spec.tradeOffRule',
        ]);
        for (const error of problem.errors ?? []) expect(error.message).toMatch(/placeholder/);
      },
    );

    it('rejects a problem shorter than 20 characters and accepts one of exactly 20', async () => {
      const body = await createBody();
      const spec = body.spec as ReturnType<typeof validSpec>;
      const short = await post('/v1/engagements', {
        ...body,
        spec: { ...spec, problem: 'Invoices are slow!!' },
      });
      const problem = expectProblem(short, 400, 'validation');
      expect(problem.errors).toEqual([
        { field: 'spec.problem', message: 'spec.problem must be at least 20 characters' },
      ]);
      const exact = await post('/v1/engagements', {
        ...body,
        spec: { ...spec, problem: '  Invoices are slow!!!  ' },
      });
      expect(exact.status).toBe(201);
    });

    it('needs at least one success metric and one constraint, each non-empty', async () => {
      const body = await createBody();
      const spec = body.spec as ReturnType<typeof validSpec>;
      const empty = await post('/v1/engagements', {
        ...body,
        spec: { ...spec, successMetrics: [], constraints: [] },
      });
      expect(fieldsOf(expectProblem(empty, 400, 'validation')).sort()).toEqual([
        'spec.constraints',
        'spec.successMetrics',
      ]);
      const blank = await post('/v1/engagements', {
        ...body,
        spec: { ...spec, successMetrics: [{ name: 'Accuracy', target: '' }], constraints: [''] },
      });
      expect(fieldsOf(expectProblem(blank, 400, 'validation')).sort()).toEqual([
        'spec.constraints[0]',
        'spec.successMetrics[0].target',
      ]);
    });

    it('names the references that do not exist once the fields and spec are valid', async () => {
      const body = await createBody();
      const unknownVendor = { ...body, vendorId: UNKNOWN_ID };
      const placeholder = await post('/v1/engagements', {
        ...unknownVendor,
        spec: { ...(body.spec as object), problem: 'TBD' },
      });
      expect(fieldsOf(expectProblem(placeholder, 400, 'validation'))).toEqual(['spec.problem']);
      const valid = await post('/v1/engagements', unknownVendor);
      expect(fieldsOf(expectProblem(valid, 400, 'validation'))).toEqual(['vendorId']);
    });

    it('answers 400 naming each reference to a vendor or person that does not exist', async () => {
      const recipient = await newPerson(t);
      const body = await createBody();
      const response = await post('/v1/engagements', {
        ...body,
        vendorId: UNKNOWN_ID,
        productOwnerId: UNKNOWN_ID,
        spec: { ...(body.spec as object), tradeOffOwnerId: UNKNOWN_ID },
        knowledgeRecipientIds: [recipient.id, '00000000-0000-4000-8000-000000000001'],
      });
      const problem = expectProblem(response, 400, 'validation');
      expect(fieldsOf(problem).sort()).toEqual([
        'knowledgeRecipientIds[1]',
        'productOwnerId',
        'spec.tradeOffOwnerId',
        'vendorId',
      ]);
      const [{ count }] = await t.dataSource.query(
        'SELECT count(*)::int AS count FROM engagements WHERE title = $1',
        [body.title],
      );
      expect(count).toBe(0);
    });

    it('refuses a writable status at creation: status is not a known field', async () => {
      const response = await post('/v1/engagements', await createBody({ status: 'active' }));
      const problem = expectProblem(response, 400, 'validation');
      expect(problem.errors).toEqual([{ field: 'status', message: 'status is not a known field' }]);
    });

    it('keeps the title between 3 and 200 characters', async () => {
      for (const title of ['ab', 'x'.repeat(201)]) {
        const problem = expectProblem(
          await post('/v1/engagements', await createBody({ title })),
          400,
          'validation',
        );
        expect(fieldsOf(problem)).toEqual(['title']);
      }
      expect((await post('/v1/engagements', await createBody({ title: 'abc' }))).status).toBe(201);
    });

    it('answers 409 for a contract reference another engagement has, 201 for several without', async () => {
      const contractRef = `PO-${uniqueSuffix()}`;
      expect((await post('/v1/engagements', await createBody({ contractRef }))).status).toBe(201);
      const duplicate = await post('/v1/engagements', await createBody({ contractRef }));
      const problem = expectProblem(duplicate, 409, 'conflict');
      expect(codesOf(problem)).toEqual(['CONTRACT_REF_TAKEN']);
      for (let i = 0; i < 2; i++) {
        const response = await post('/v1/engagements', await createBody({ contractRef: null }));
        expect(response.status).toBe(201);
        expect(response.body.contractRef).toBeNull();
      }
    });

    it('derives lastSafeHandoverDate as contractEndDate − noticePeriodDays', async () => {
      const withNotice = await newEngagement(t, t.adminKey, {
        contractEndDate: '2027-06-30',
        noticePeriodDays: 60,
      });
      expect(withNotice.lastSafeHandoverDate).toBe('2027-05-01');
      const leap = await newEngagement(t, t.adminKey, {
        contractEndDate: '2028-03-01',
        noticePeriodDays: 1,
      });
      expect(leap.lastSafeHandoverDate).toBe('2028-02-29');
      const noNotice = await newEngagement(t, t.adminKey, { contractEndDate: '2027-06-30' });
      expect(noNotice.lastSafeHandoverDate).toBe('2027-06-30');
      const noEnd = await newEngagement(t, t.adminKey, { noticePeriodDays: 30 });
      expect(noEnd.lastSafeHandoverDate).toBeNull();

      const changed = await patch(withNotice.id, { noticePeriodDays: 30 });
      expect(changed.status).toBe(200);
      expect(changed.body.lastSafeHandoverDate).toBe('2027-05-31');
      const written = await patch(withNotice.id, { lastSafeHandoverDate: '2030-01-01' });
      expect(fieldsOf(expectProblem(written, 400, 'validation'))).toEqual(['lastSafeHandoverDate']);
    });

    it('answers 404 for an engagement that does not exist and 400 for an id that is no uuid', async () => {
      expectProblem(await get(`/v1/engagements/${UNKNOWN_ID}`), 404, 'not-found');
      const problem = expectProblem(await get('/v1/engagements/not-a-uuid'), 400, 'validation');
      expect(fieldsOf(problem)).toEqual(['id']);
    });
  });

  describe('changes (PATCH)', () => {
    it('replaces the spec fields it names and keeps the others', async () => {
      const engagement = await newEngagement(t);
      const response = await patch(engagement.id, {
        spec: { constraints: ['Runs on our Azure tenant', 'No personal data in prompts'] },
      });
      expect(response.status).toBe(200);
      expect(response.headers.etag).toBe('"2"');
      expect(response.body.spec).toEqual({
        ...engagement.spec,
        constraints: ['Runs on our Azure tenant', 'No personal data in prompts'],
      });
      expect(response.body.version).toBe(2);
      expect((await get(`/v1/engagements/${engagement.id}`)).body.spec).toEqual(response.body.spec);
    });

    it('validates the resulting spec whole and writes nothing when it fails', async () => {
      const engagement = await newEngagement(t);
      const response = await patch(engagement.id, {
        title: 'A new title',
        spec: { problem: 'TBD', successMetrics: [] },
      });
      const problem = expectProblem(response, 400, 'validation');
      expect(fieldsOf(problem).sort()).toEqual(['spec.problem', 'spec.successMetrics']);
      const after = await get(`/v1/engagements/${engagement.id}`);
      expect(after.body).toEqual(engagement);
    });

    it('clears the optional tradeOffRule with null but keeps the required fields required', async () => {
      const engagement = await newEngagement(t);
      const cleared = await patch(engagement.id, { spec: { tradeOffRule: null } });
      expect(cleared.status).toBe(200);
      expect(cleared.body.spec.tradeOffRule).toBeNull();
      expect(cleared.body.spec.problem).toBe(engagement.spec.problem);
      const emptied = await patch(engagement.id, { spec: { constraints: [] } });
      expect(fieldsOf(expectProblem(emptied, 400, 'validation'))).toEqual(['spec.constraints']);
    });

    it('refuses status as a writable field (400 naming it)', async () => {
      const engagement = await newEngagement(t);
      const response = await patch(engagement.id, { status: 'completed' });
      const problem = expectProblem(response, 400, 'validation');
      expect(problem.errors).toEqual([{ field: 'status', message: 'status is not a known field' }]);
      expect((await get(`/v1/engagements/${engagement.id}`)).body.status).toBe('draft');
    });

    it('answers 400 naming references that do not exist; 404 only for the engagement in the path', async () => {
      const engagement = await newEngagement(t);
      const response = await patch(engagement.id, {
        vendorId: UNKNOWN_ID,
        productOwnerId: UNKNOWN_ID,
        spec: { tradeOffOwnerId: UNKNOWN_ID },
        knowledgeRecipientIds: [UNKNOWN_ID],
      });
      expect(fieldsOf(expectProblem(response, 400, 'validation')).sort()).toEqual([
        'knowledgeRecipientIds[0]',
        'productOwnerId',
        'spec.tradeOffOwnerId',
        'vendorId',
      ]);
      expectProblem(await patch(UNKNOWN_ID, { title: 'Anything' }), 404, 'not-found');
    });

    it('answers 409 when changing to a contract reference another engagement has', async () => {
      const contractRef = `PO-${uniqueSuffix()}`;
      await newEngagement(t, t.adminKey, { contractRef });
      const other = await newEngagement(t);
      const problem = expectProblem(await patch(other.id, { contractRef }), 409, 'conflict');
      expect(codesOf(problem)).toEqual(['CONTRACT_REF_TAKEN']);
      expect((await get(`/v1/engagements/${other.id}`)).body.contractRef).toBeNull();
    });

    it('replaces the knowledge recipients, a new version', async () => {
      const [a, b, c] = [await newPerson(t), await newPerson(t), await newPerson(t)];
      const engagement = await newEngagement(t, t.adminKey, { knowledgeRecipientIds: [a.id] });
      expect(engagement.knowledgeRecipientIds).toEqual([a.id]);
      const response = await patch(engagement.id, { knowledgeRecipientIds: [b.id, c.id] });
      expect(response.status).toBe(200);
      expect(response.body.version).toBe(2);
      expect(response.body.knowledgeRecipientIds).toEqual([b.id, c.id].sort());
      const read = await get(`/v1/engagements/${engagement.id}`);
      expect(read.body.knowledgeRecipientIds).toEqual([b.id, c.id].sort());
    });

    it('answers 412 for a stale If-Match on PATCH and writes nothing', async () => {
      const engagement = await newEngagement(t);
      const first = await patch(engagement.id, { title: 'Second title' }, { 'If-Match': '"1"' });
      expect(first.status).toBe(200);
      expect(first.headers.etag).toBe('"2"');
      const stale = await patch(engagement.id, { title: 'Third title' }, { 'If-Match': '"1"' });
      expectProblem(stale, 412, 'precondition-failed');
      expect(stale.headers.etag).toBe('"2"');
      const read = await get(`/v1/engagements/${engagement.id}`);
      expect(read.body).toMatchObject({ title: 'Second title', version: 2 });
      expect(read.headers.etag).toBe('"2"');
      const updates = (await auditEventsOf(t, 'engagement', engagement.id)).filter(
        (event) => event.action === 'engagement.updated',
      );
      expect(updates).toHaveLength(1);
    });

    it('answers 412 for a stale If-Match on an action and writes nothing', async () => {
      const ready = await readyToActivate(t);
      expect((await patch(ready.engagementId, { title: 'Now version 2' })).status).toBe(200);
      const stale = await post(
        `/v1/engagements/${ready.engagementId}/activate`,
        {},
        { 'If-Match': '"1"' },
      );
      expectProblem(stale, 412, 'precondition-failed');
      const read = await get(`/v1/engagements/${ready.engagementId}`);
      expect(read.body).toMatchObject({ status: 'draft', activatedAt: null, version: 2 });
      const milestone = await get(
        `/v1/engagements/${ready.engagementId}/milestones/${ready.finalHandoverId}`,
      );
      expect(milestone.body.baselineDueDate).toBeNull();
      const actions = (await auditEventsOf(t, 'engagement', ready.engagementId)).map(
        (event) => event.action,
      );
      expect(actions.filter((action) => action !== 'risk.level_changed')).toEqual([
        'engagement.created',
        'engagement.updated',
      ]);

      const current = await post(
        `/v1/engagements/${ready.engagementId}/activate`,
        {},
        { 'If-Match': '"2"' },
      );
      expect(current.status).toBe(200);
      expect(current.headers.etag).toBe('"3"');
    });
  });

  describe('activation', () => {
    it('lists every unmet precondition at once', async () => {
      const engagement = await newEngagement(t);
      const response = await post(`/v1/engagements/${engagement.id}/activate`);
      const problem = expectProblem(response, 409, 'conflict');
      expect(codesOf(problem).sort()).toEqual([
        'NO_FINAL_HANDOVER',
        'NO_KNOWLEDGE_RECIPIENTS',
        'NO_KT_ARTIFACTS',
      ]);
      for (const error of problem.errors ?? []) expect(error.message).toEqual(expect.any(String));
      expect((await get(`/v1/engagements/${engagement.id}`)).body.status).toBe('draft');
    });

    it('does not count a handover milestone as the final handover', async () => {
      const recipient = await newPerson(t);
      const engagement = await newEngagement(t, t.adminKey, {
        knowledgeRecipientIds: [recipient.id],
      });
      const handover = await newMilestone(t, t.adminKey, engagement.id, { kind: 'handover' });
      await newArtifact(t, t.adminKey, engagement.id, handover.id);
      const problem = expectProblem(
        await post(`/v1/engagements/${engagement.id}/activate`),
        409,
        'conflict',
      );
      expect(codesOf(problem)).toEqual(['NO_FINAL_HANDOVER']);
    });

    it("activates a ready draft and freezes every milestone's baseline due date", async () => {
      const ready = await readyToActivate(t);
      const delivery = await newMilestone(t, t.adminKey, ready.engagementId, {
        dueDate: daysFromToday(20),
      });
      const response = await post(`/v1/engagements/${ready.engagementId}/activate`);
      expect(response.status).toBe(200);
      expect(response.headers.etag).toBe('"2"');
      expect(response.body).toMatchObject({ status: 'active', version: 2 });
      expect(Date.parse(response.body.activatedAt)).toBeGreaterThan(Date.now() - 60_000);
      const milestones = await get(`/v1/engagements/${ready.engagementId}/milestones`);
      const baselines = Object.fromEntries(
        milestones.body.items.map((m: { id: string; baselineDueDate: string }) => [
          m.id,
          m.baselineDueDate,
        ]),
      );
      expect(baselines).toEqual({
        [ready.finalHandoverId]: ready.finalHandover.dueDate,
        [delivery.id]: delivery.dueDate,
      });
    });

    it('answers 409 INVALID_STATUS for an engagement that is not a draft', async () => {
      const active = await newEngagementIn(t, 'active');
      const again = await post(`/v1/engagements/${active.engagementId}/activate`);
      expect(codesOf(expectProblem(again, 409, 'conflict'))).toEqual(['INVALID_STATUS']);
      const cancelled = await newEngagementIn(t, 'cancelled');
      const fromCancelled = await post(`/v1/engagements/${cancelled.engagementId}/activate`);
      expect(codesOf(expectProblem(fromCancelled, 409, 'conflict'))).toEqual(['INVALID_STATUS']);
      const bare = await newEngagement(t);
      await post(`/v1/engagements/${bare.id}/cancel`, { reason: 'Not needed' });
      const all = expectProblem(await post(`/v1/engagements/${bare.id}/activate`), 409);
      expect(codesOf(all).sort()).toEqual([
        'INVALID_STATUS',
        'NO_FINAL_HANDOVER',
        'NO_KNOWLEDGE_RECIPIENTS',
        'NO_KT_ARTIFACTS',
      ]);
    });

    it('answers 404 for an action on an engagement that does not exist', async () => {
      expectProblem(await post(`/v1/engagements/${UNKNOWN_ID}/activate`), 404, 'not-found');
      expectProblem(await post(`/v1/engagements/${UNKNOWN_ID}/complete`), 404, 'not-found');
      expectProblem(
        await post(`/v1/engagements/${UNKNOWN_ID}/cancel`, { reason: 'Gone' }),
        404,
        'not-found',
      );
    });

    it('lets exactly one of two concurrent activations win', async () => {
      const ready = await readyToActivate(t);
      const responses = await Promise.all(
        [1, 2].map(() => post(`/v1/engagements/${ready.engagementId}/activate`)),
      );
      expect(responses.map((response) => response.status).sort()).toEqual([200, 409]);
      const loser = responses.find((response) => response.status === 409);
      expect(codesOf(expectProblem(loser as (typeof responses)[number], 409))).toEqual([
        'INVALID_STATUS',
      ]);
      const activations = (await auditEventsOf(t, 'engagement', ready.engagementId)).filter(
        (event) => event.action === 'engagement.activated',
      );
      expect(activations).toHaveLength(1);
      expect((await get(`/v1/engagements/${ready.engagementId}`)).body.version).toBe(2);
    });
  });

  describe('completion', () => {
    it('lists every unmet precondition: final handover not completed, artifacts not accepted', async () => {
      const active = await newEngagementIn(t, 'active');
      const response = await post(`/v1/engagements/${active.engagementId}/complete`);
      const problem = expectProblem(response, 409, 'conflict');
      expect(codesOf(problem).sort()).toEqual([
        'ARTIFACTS_NOT_ACCEPTED',
        'FINAL_HANDOVER_NOT_COMPLETED',
      ]);
    });

    it('answers 409 INVALID_STATUS for completing a draft', async () => {
      const ready = await readyToActivate(t);
      const problem = expectProblem(
        await post(`/v1/engagements/${ready.engagementId}/complete`),
        409,
      );
      expect(codesOf(problem)).toContain('INVALID_STATUS');
    });

    it('needs every artifact accepted, also those due at other milestones', async () => {
      const ready = await readyToActivate(t);
      const base = `/v1/engagements/${ready.engagementId}`;
      const delivery = await newMilestone(t, t.adminKey, ready.engagementId, {
        dueDate: daysFromToday(-1),
      });
      const other = await newArtifact(t, t.adminKey, ready.engagementId, delivery.id);
      await act(t, `${base}/activate`);
      await act(t, `${base}/artifacts/${ready.artifactId}/deliver`, {
        evidenceUrl: 'https://wiki.example.com/runbook',
      });
      await act(t, `${base}/artifacts/${ready.artifactId}/accept`, {
        acceptedById: ready.knowledgeRecipientId,
      });
      await act(t, `${base}/milestones/${ready.finalHandoverId}/complete`);
      const blocked = expectProblem(await post(`${base}/complete`), 409, 'conflict');
      expect(codesOf(blocked)).toEqual(['ARTIFACTS_NOT_ACCEPTED']);
      expect((await get(base)).body.status).toBe('active');

      await act(t, `${base}/artifacts/${other.id}/deliver`, {
        evidenceUrl: 'https://wiki.example.com/adr',
      });
      await act(t, `${base}/artifacts/${other.id}/accept`, { acceptedById: ready.productOwnerId });
      const response = await post(`${base}/complete`);
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ status: 'completed', completedAt: expect.any(String) });
    });
  });

  describe('cancellation', () => {
    it('requires a reason (400 naming reason)', async () => {
      const engagement = await newEngagement(t);
      for (const body of [{}, { reason: '' }, { reason: '   ' }]) {
        const problem = expectProblem(
          await post(`/v1/engagements/${engagement.id}/cancel`, body),
          400,
          'validation',
        );
        expect(new Set(fieldsOf(problem))).toEqual(new Set(['reason']));
      }
      expect((await get(`/v1/engagements/${engagement.id}`)).body.status).toBe('draft');
    });

    it('cancels a draft and an active engagement, keeping the reason', async () => {
      const draft = await newEngagement(t);
      const fromDraft = await post(`/v1/engagements/${draft.id}/cancel`, {
        reason: '  Budget withdrawn in the Q1 review  ',
      });
      expect(fromDraft.status).toBe(200);
      expect(fromDraft.body).toMatchObject({
        status: 'cancelled',
        cancelReason: 'Budget withdrawn in the Q1 review',
        cancelledAt: expect.any(String),
        version: 2,
      });
      const active = await newEngagementIn(t, 'active');
      const fromActive = await post(`/v1/engagements/${active.engagementId}/cancel`, {
        reason: 'Vendor went bankrupt',
      });
      expect(fromActive.status).toBe(200);
      expect(fromActive.body.status).toBe('cancelled');
    });

    it('answers 409 INVALID_STATUS for cancelling a completed or cancelled engagement', async () => {
      for (const status of ['completed', 'cancelled'] as const) {
        const closed = await newEngagementIn(t, status);
        const response = await post(`/v1/engagements/${closed.engagementId}/cancel`, {
          reason: 'Once more',
        });
        expect(codesOf(expectProblem(response, 409, 'conflict'))).toEqual(['INVALID_STATUS']);
        expect((await get(`/v1/engagements/${closed.engagementId}`)).body.status).toBe(status);
      }
    });
  });

  describe('closed engagements', () => {
    it.each(['completed', 'cancelled'] as const)(
      'a %s engagement is read-only: PATCH answers 409 ENGAGEMENT_CLOSED',
      async (status) => {
        const closed = await newEngagementIn(t, status);
        const response = await patch(closed.engagementId, { title: 'Renamed after the fact' });
        expect(codesOf(expectProblem(response, 409, 'conflict'))).toEqual(['ENGAGEMENT_CLOSED']);
        const read = await get(`/v1/engagements/${closed.engagementId}`);
        expect(read.body).toEqual(closed.engagement);
      },
    );
  });

  describe('lists', () => {
    it('filters by status and vendorId', async () => {
      const vendor = await newVendor(t);
      const draft = await newEngagement(t, t.adminKey, { vendorId: vendor.id });
      const ready = await readyToActivate(t, t.adminKey, { vendorId: vendor.id });
      await act(t, `/v1/engagements/${ready.engagementId}/activate`);
      const cancelled = await newEngagement(t, t.adminKey, { vendorId: vendor.id });
      await act(t, `/v1/engagements/${cancelled.id}/cancel`, { reason: 'Duplicate' });
      await newEngagement(t);

      expect(await listIds({ vendorId: vendor.id })).toEqual([
        draft.id,
        ready.engagementId,
        cancelled.id,
      ]);
      expect(await listIds({ vendorId: vendor.id, status: 'active' })).toEqual([
        ready.engagementId,
      ]);
      expect(await listIds({ vendorId: vendor.id, status: 'draft' })).toEqual([draft.id]);
      expect(await listIds({ vendorId: vendor.id, status: 'completed' })).toEqual([]);
      const active = await get('/v1/engagements', { status: 'active', limit: 200 });
      for (const item of active.body.items) expect(item.status).toBe('active');
    });

    it('filters by productOwnerId and knowledgeRecipientId', async () => {
      const owner = await newPerson(t);
      const recipient = await newPerson(t);
      const owned = await newEngagement(t, t.adminKey, { productOwnerId: owner.id });
      const both = await newEngagement(t, t.adminKey, {
        productOwnerId: owner.id,
        knowledgeRecipientIds: [recipient.id],
      });
      const received = await newEngagement(t, t.adminKey, {
        knowledgeRecipientIds: [recipient.id, owner.id],
      });
      expect(await listIds({ productOwnerId: owner.id })).toEqual([owned.id, both.id]);
      expect(await listIds({ knowledgeRecipientId: recipient.id })).toEqual([both.id, received.id]);
      expect(await listIds({ knowledgeRecipientId: owner.id })).toEqual([received.id]);
      expect(
        await listIds({ productOwnerId: owner.id, knowledgeRecipientId: recipient.id }),
      ).toEqual([both.id]);
    });

    it('filters by q: title contains, case-insensitive, wildcards taken literally', async () => {
      const token = `Zebra${uniqueSuffix()}`;
      const a = await newEngagement(t, t.adminKey, { title: `Invoice ${token} extraction` });
      const b = await newEngagement(t, t.adminKey, { title: `${token.toUpperCase()} 100% done` });
      await newEngagement(t, t.adminKey, { title: `Invoice ${token.slice(0, -1)} other` });
      expect(await listIds({ q: token.toLowerCase() })).toEqual([a.id, b.id]);
      expect(await listIds({ q: `${token} 100%` })).toEqual([b.id]);
      expect(await listIds({ q: `${token}_100` })).toEqual([]);
    });

    it('filters by the final handover due date, both bounds inclusive', async () => {
      const vendor = await newVendor(t);
      const withHandover = async (dueDate: string) => {
        const engagement = await newEngagement(t, t.adminKey, { vendorId: vendor.id });
        await newMilestone(t, t.adminKey, engagement.id, { kind: 'final_handover', dueDate });
        // A delivery milestone inside the window does not count.
        await newMilestone(t, t.adminKey, engagement.id, { dueDate: '2031-02-10' });
        return engagement.id;
      };
      const january = await withHandover('2031-01-10');
      const february = await withHandover('2031-02-10');
      const march = await withHandover('2031-03-10');
      const none = await newEngagement(t, t.adminKey, { vendorId: vendor.id });
      await newMilestone(t, t.adminKey, none.id, { dueDate: '2031-02-10' });

      expect(await listIds({ vendorId: vendor.id })).toHaveLength(4);
      expect(await listIds({ vendorId: vendor.id, handoverDueBefore: '2031-02-10' })).toEqual([
        january,
        february,
      ]);
      expect(await listIds({ vendorId: vendor.id, handoverDueAfter: '2031-02-10' })).toEqual([
        february,
        march,
      ]);
      expect(
        await listIds({
          vendorId: vendor.id,
          handoverDueAfter: '2031-01-11',
          handoverDueBefore: '2031-03-09',
        }),
      ).toEqual([february]);
    });

    it('answers 400 naming a filter with an invalid value', async () => {
      for (const [query, field] of [
        [{ status: 'finished' }, 'status'],
        [{ vendorId: 'acme' }, 'vendorId'],
        [{ productOwnerId: '42' }, 'productOwnerId'],
        [{ knowledgeRecipientId: 'x' }, 'knowledgeRecipientId'],
        [{ handoverDueBefore: '2027-02-30' }, 'handoverDueBefore'],
        [{ handoverDueAfter: 'tomorrow' }, 'handoverDueAfter'],
        [{ limit: 0 }, 'limit'],
        [{ limit: 201 }, 'limit'],
        [{ cursor: 'not a cursor' }, 'cursor'],
        [{ cursor: 'bm90LWpzb24' }, 'cursor'],
      ] as const) {
        const problem = expectProblem(await get('/v1/engagements', query), 400, 'validation');
        expect(fieldsOf(problem)).toContain(field);
      }
    });

    it('pages with limit and cursor in a stable order, each engagement once', async () => {
      const vendor = await newVendor(t);
      const created: string[] = [];
      for (let i = 0; i < 5; i++)
        created.push((await newEngagement(t, t.adminKey, { vendorId: vendor.id })).id);

      const pages: string[][] = [];
      let cursor: string | null = null;
      do {
        const response = await get('/v1/engagements', {
          vendorId: vendor.id,
          limit: 2,
          ...(cursor ? { cursor } : {}),
        });
        expect(response.status).toBe(200);
        pages.push(response.body.items.map((item: EngagementBody) => item.id));
        cursor = response.body.nextCursor;
      } while (cursor);
      expect(pages.map((page) => page.length)).toEqual([2, 2, 1]);
      expect(pages.flat()).toEqual(created);

      // The whole list, unfiltered: every engagement exactly once, default page size 50.
      const seen: string[] = [];
      cursor = null;
      do {
        const response = await get('/v1/engagements', { limit: 3, ...(cursor ? { cursor } : {}) });
        seen.push(...response.body.items.map((item: EngagementBody) => item.id));
        cursor = response.body.nextCursor;
      } while (cursor);
      const [{ count }] = await t.dataSource.query(
        'SELECT count(*)::int AS count FROM engagements',
      );
      expect(seen).toHaveLength(count);
      expect(new Set(seen).size).toBe(count);
      const firstPage = await get('/v1/engagements');
      expect(firstPage.body.items.length).toBe(Math.min(50, count));
    });
  });

  describe('audit', () => {
    it('writes an audit event for creation, change and every action, naming the actor', async () => {
      const created = await t
        .http()
        .post('/v1/api-keys')
        .set(bearer(t.adminKey))
        .send({ name: 'Procurement tool', role: 'procurement' });
      const key = created.body.secret as string;
      const ready = await readyToActivate(t, key);
      const base = `/v1/engagements/${ready.engagementId}`;
      const changed = await t
        .http()
        .patch(base)
        .set(bearer(key))
        .send({ title: 'Renamed engagement', spec: { constraints: ['Runs in the EU'] } });
      expect(changed.status).toBe(200);
      await act(t, `${base}/activate`, {}, key);
      await act(t, `${base}/cancel`, { reason: 'Budget withdrawn' }, key);

      // Risk level changes are audited too (see risk.e2e-spec); here: the engagement's own events.
      const events = (await auditEventsOf(t, 'engagement', ready.engagementId)).filter(
        (event) => event.action !== 'risk.level_changed',
      );
      expect(events.map((event) => event.action)).toEqual([
        'engagement.created',
        'engagement.updated',
        'engagement.activated',
        'engagement.cancelled',
      ]);
      for (const event of events) {
        expect(event).toMatchObject({
          entityType: 'engagement',
          entityId: ready.engagementId,
          actor: { apiKeyId: created.body.id, name: 'Procurement tool', role: 'procurement' },
        });
      }
      const [creation, update, activation, cancellation] = events;
      expect(creation.changes.title).toEqual({ from: null, to: ready.engagement.title });
      expect(creation.changes.status).toEqual({ from: null, to: 'draft' });
      expect(update.changes).toEqual({
        title: { from: ready.engagement.title, to: 'Renamed engagement' },
        'spec.constraints': { from: ready.engagement.spec.constraints, to: ['Runs in the EU'] },
      });
      expect(activation.changes.status).toEqual({ from: 'draft', to: 'active' });
      expect(cancellation.changes).toMatchObject({
        status: { from: 'active', to: 'cancelled' },
        cancelReason: { from: null, to: 'Budget withdrawn' },
      });
    });

    it('writes a completion event', async () => {
      const completed = await newEngagementIn(t, 'completed');
      const events = await auditEventsOf(t, 'engagement', completed.engagementId);
      const completion = events.filter((event) => event.action !== 'risk.level_changed').at(-1);
      expect(completion).toMatchObject({
        action: 'engagement.completed',
        changes: { status: { from: 'active', to: 'completed' } },
      });
    });

    it('lets one of 20 concurrent PATCHes with the same If-Match win: one 200, 19 × 412, one event', async () => {
      const engagement = await newEngagement(t);
      const responses = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          patch(engagement.id, { title: `Concurrent title ${i}` }, { 'If-Match': '"1"' }),
        ),
      );
      const statuses = responses.map((response) => response.status);
      expect(statuses.filter((status) => status === 200)).toHaveLength(1);
      expect(statuses.filter((status) => status === 412)).toHaveLength(19);
      const winner = responses.find((response) => response.status === 200);
      const read = await get(`/v1/engagements/${engagement.id}`);
      expect(read.body).toMatchObject({ title: winner?.body.title, version: 2 });
      const updates = (await auditEventsOf(t, 'engagement', engagement.id)).filter(
        (event) => event.action === 'engagement.updated',
      );
      expect(updates).toHaveLength(1);
      expect(updates[0].changes.title).toEqual({
        from: engagement.title,
        to: winner?.body.title,
      });
    });
  });
});
