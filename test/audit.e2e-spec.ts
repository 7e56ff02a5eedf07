import { randomBytes } from 'node:crypto';
import type { Role } from '../src/auth/role.js';
import { bearer, createTestApp, expectProblem, type TestApp } from './test-app.js';

/** A name no other test uses. */
const unique = (base: string) => `${base} ${randomBytes(4).toString('hex')}`;
const uniqueEmail = () => `audit.${randomBytes(4).toString('hex')}@example.com`;

interface AuditEventBody {
  id: string;
  at: string;
  actor: { apiKeyId: string | null; name: string; role: string };
  action: string;
  entityType: string;
  entityId: string;
  changes: Record<string, { from: unknown; to: unknown }>;
}

describe('audit events', () => {
  let t: TestApp;
  /** A procurement key made over the API, so its id and name are known. */
  let procurement: { id: string; name: string; secret: string };

  beforeAll(async () => {
    t = await createTestApp();
    const created = await t
      .http()
      .post('/v1/api-keys')
      .set(bearer(t.adminKey))
      .send({ name: 'Procurement tool', role: 'procurement' });
    expect(created.status).toBe(201);
    procurement = { id: created.body.id, name: 'Procurement tool', secret: created.body.secret };
  });
  afterAll(() => t.close());

  const events = (query: Record<string, string | number>, key = t.adminKey) =>
    t.http().get('/v1/audit-events').query(query).set(bearer(key));

  async function eventsOf(entityType: string, entityId: string): Promise<AuditEventBody[]> {
    const response = await events({ entityType, entityId, limit: 200 });
    expect(response.status).toBe(200);
    return response.body.items;
  }

  const procurementActor = () => ({
    apiKeyId: procurement.id,
    name: procurement.name,
    role: 'procurement',
  });

  describe('what is recorded', () => {
    it('records a vendor created, updated and deleted, one event each, with actor and changes', async () => {
      const name = unique('Audited Vendor');
      const created = await t
        .http()
        .post('/v1/vendors')
        .set(bearer(procurement.secret))
        .send({ name, contactEmail: 'sales@audited.example' });
      expect(created.status).toBe(201);
      const id = created.body.id;

      let history = await eventsOf('vendor', id);
      expect(history).toEqual([
        {
          id: expect.any(String),
          at: expect.any(String),
          actor: procurementActor(),
          action: 'vendor.created',
          entityType: 'vendor',
          entityId: id,
          changes: {
            name: { from: null, to: name },
            contactEmail: { from: null, to: 'sales@audited.example' },
          },
        },
      ]);
      expect(Math.abs(Date.parse(history[0].at) - Date.now())).toBeLessThan(60_000);

      const updated = await t
        .http()
        .patch(`/v1/vendors/${id}`)
        .set(bearer(procurement.secret))
        .send({ contactEmail: null, notes: 'Preferred supplier', website: undefined });
      expect(updated.status).toBe(200);
      history = await eventsOf('vendor', id);
      expect(history).toHaveLength(2);
      expect(history[0]).toMatchObject({
        actor: procurementActor(),
        action: 'vendor.updated',
        entityType: 'vendor',
        entityId: id,
        changes: {
          contactEmail: { from: 'sales@audited.example', to: null },
          notes: { from: null, to: 'Preferred supplier' },
        },
      });
      expect(Object.keys(history[0].changes).sort()).toEqual(['contactEmail', 'notes']);

      await t.http().delete(`/v1/vendors/${id}`).set(bearer(t.adminKey)).expect(204);
      history = await eventsOf('vendor', id);
      expect(history).toHaveLength(3);
      expect(history[0]).toMatchObject({
        actor: { apiKeyId: expect.any(String), name: expect.any(String), role: 'admin' },
        action: 'vendor.deleted',
        entityType: 'vendor',
        entityId: id,
        changes: {
          name: { from: name, to: null },
          notes: { from: 'Preferred supplier', to: null },
        },
      });
      expect(history.map((event) => event.action)).toEqual([
        'vendor.deleted',
        'vendor.updated',
        'vendor.created',
      ]);
    });

    it('records a person created and updated', async () => {
      const email = uniqueEmail();
      const created = await t
        .http()
        .post('/v1/people')
        .set(bearer(procurement.secret))
        .send({ name: 'Ada Audit', email, team: 'Platform' });
      expect(created.status).toBe(201);
      const id = created.body.id;

      await t
        .http()
        .patch(`/v1/people/${id}`)
        .set(bearer(procurement.secret))
        .send({ team: null, name: 'Ada B. Audit' })
        .expect(200);

      const history = await eventsOf('person', id);
      expect(history).toEqual([
        {
          id: expect.any(String),
          at: expect.any(String),
          actor: procurementActor(),
          action: 'person.updated',
          entityType: 'person',
          entityId: id,
          changes: {
            name: { from: 'Ada Audit', to: 'Ada B. Audit' },
            team: { from: 'Platform', to: null },
          },
        },
        {
          id: expect.any(String),
          at: expect.any(String),
          actor: procurementActor(),
          action: 'person.created',
          entityType: 'person',
          entityId: id,
          changes: {
            name: { from: null, to: 'Ada Audit' },
            email: { from: null, to: email },
            team: { from: null, to: 'Platform' },
          },
        },
      ]);
    });

    it('records the admin key as actor with its name and role', async () => {
      const created = await t
        .http()
        .post('/v1/vendors')
        .set(bearer(t.adminKey))
        .send({ name: unique('Admin Made') });
      const [event] = await eventsOf('vendor', created.body.id);
      const [key] = await t.dataSource.query(`SELECT id, name FROM api_keys WHERE id = $1`, [
        event.actor.apiKeyId,
      ]);
      expect(event.actor).toEqual({ apiKeyId: key.id, name: key.name, role: 'admin' });
    });

    it('writes no event for a PATCH that changes nothing', async () => {
      const created = await t
        .http()
        .post('/v1/vendors')
        .set(bearer(t.adminKey))
        .send({ name: unique('Unchanged'), notes: 'same' });
      const { id, name } = created.body;
      for (const body of [{}, { name, notes: 'same' }, { contactEmail: null }]) {
        const response = await t
          .http()
          .patch(`/v1/vendors/${id}`)
          .set(bearer(t.adminKey))
          .send(body);
        expect(response.status).toBe(200);
        expect(response.body.version).toBe(1);
      }
      expect((await eventsOf('vendor', id)).map((event) => event.action)).toEqual([
        'vendor.created',
      ]);

      const person = await t
        .http()
        .post('/v1/people')
        .set(bearer(t.adminKey))
        .send({ name: 'Stable Person', email: uniqueEmail() });
      await t
        .http()
        .patch(`/v1/people/${person.body.id}`)
        .set(bearer(t.adminKey))
        .send({ name: 'Stable Person', team: null })
        .expect(200);
      expect((await eventsOf('person', person.body.id)).map((event) => event.action)).toEqual([
        'person.created',
      ]);
    });

    it('writes no event for a change that fails', async () => {
      const first = await t
        .http()
        .post('/v1/vendors')
        .set(bearer(t.adminKey))
        .send({ name: unique('Taken Name') });
      const second = await t
        .http()
        .post('/v1/vendors')
        .set(bearer(t.adminKey))
        .send({ name: unique('Will Fail') });
      const id = second.body.id;

      const attempts = [
        // 409: the name is taken.
        t.http().patch(`/v1/vendors/${id}`).send({ name: first.body.name }),
        // 412: a stale If-Match.
        t.http().patch(`/v1/vendors/${id}`).set('If-Match', '"7"').send({ notes: 'x' }),
        // 400: an invalid field next to a valid one.
        t.http().patch(`/v1/vendors/${id}`).send({ notes: 'x', website: 'nope' }),
        // 412 on delete.
        t.http().delete(`/v1/vendors/${id}`).set('If-Match', '"7"'),
      ];
      const statuses = [];
      for (const attempt of attempts) statuses.push((await attempt.set(bearer(t.adminKey))).status);
      expect(statuses).toEqual([409, 412, 400, 412]);

      expect((await eventsOf('vendor', id)).map((event) => event.action)).toEqual([
        'vendor.created',
      ]);
      const duplicates = await events({ entityType: 'vendor', limit: 200 });
      expect(
        duplicates.body.items.filter(
          (event: AuditEventBody) =>
            event.action === 'vendor.created' && event.changes.name?.to === first.body.name,
        ),
      ).toHaveLength(1);
    });
  });

  describe('reading', () => {
    let vendorId: string;
    let personId: string;

    beforeAll(async () => {
      const vendor = await t
        .http()
        .post('/v1/vendors')
        .set(bearer(t.adminKey))
        .send({ name: unique('Filter Vendor') });
      vendorId = vendor.body.id;
      const person = await t
        .http()
        .post('/v1/people')
        .set(bearer(t.adminKey))
        .send({ name: 'Filter Person', email: uniqueEmail() });
      personId = person.body.id;
    });

    it('filters by entityType', async () => {
      const vendors = await events({ entityType: 'vendor', limit: 200 });
      expect(vendors.status).toBe(200);
      expect(vendors.body.items.length).toBeGreaterThan(0);
      expect(
        vendors.body.items.every((event: AuditEventBody) => event.entityType === 'vendor'),
      ).toBe(true);
      expect(vendors.body.items.map((event: AuditEventBody) => event.entityId)).toContain(vendorId);

      const people = await events({ entityType: 'person', limit: 200 });
      expect(
        people.body.items.every((event: AuditEventBody) => event.entityType === 'person'),
      ).toBe(true);
      expect(people.body.items.map((event: AuditEventBody) => event.entityId)).toContain(personId);
    });

    it('filters by entityId, alone or with entityType', async () => {
      const byId = await events({ entityId: personId });
      expect(byId.body.items).toHaveLength(1);
      expect(byId.body.items[0]).toMatchObject({ action: 'person.created', entityId: personId });

      const mismatched = await events({ entityType: 'vendor', entityId: personId });
      expect(mismatched.status).toBe(200);
      expect(mismatched.body).toEqual({ items: [], nextCursor: null });
    });

    it('lists without filters, newest first', async () => {
      const response = await events({ limit: 200 });
      expect(response.status).toBe(200);
      const items: AuditEventBody[] = response.body.items;
      expect(items.length).toBeGreaterThanOrEqual(2);
      const times = items.map((event) => Date.parse(event.at));
      expect(times).toEqual([...times].sort((a, b) => b - a));
    });

    it('pages newest first with limit and cursor, each event once', async () => {
      const created = await t
        .http()
        .post('/v1/vendors')
        .set(bearer(t.adminKey))
        .send({ name: unique('Paged History') });
      const id = created.body.id;
      for (let i = 1; i <= 4; i++) {
        await t
          .http()
          .patch(`/v1/vendors/${id}`)
          .set(bearer(t.adminKey))
          .send({ notes: `revision ${i}` })
          .expect(200);
      }

      const pages: AuditEventBody[][] = [];
      let cursor: string | null = null;
      do {
        const response: {
          status: number;
          body: { items: AuditEventBody[]; nextCursor: string | null };
        } = await events({ entityId: id, limit: 2, ...(cursor ? { cursor } : {}) });
        expect(response.status).toBe(200);
        pages.push(response.body.items);
        cursor = response.body.nextCursor;
      } while (cursor);

      expect(pages.map((page) => page.length)).toEqual([2, 2, 1]);
      const seen = pages.flat();
      expect(new Set(seen.map((event) => event.id)).size).toBe(5);
      expect(seen.map((event) => event.action)).toEqual([
        'vendor.updated',
        'vendor.updated',
        'vendor.updated',
        'vendor.updated',
        'vendor.created',
      ]);
      expect(seen.slice(0, 4).map((event) => event.changes.notes.to)).toEqual([
        'revision 4',
        'revision 3',
        'revision 2',
        'revision 1',
      ]);
    });

    it.each<[string, Record<string, string>, string]>([
      ['an unknown entityType', { entityType: 'spaceship' }, 'entityType'],
      ['an entityId that is not a uuid', { entityId: '42' }, 'entityId'],
      ['limit 0', { limit: '0' }, 'limit'],
      ['limit 201', { limit: '201' }, 'limit'],
      ['a cursor it did not issue', { cursor: 'Zm9v' }, 'cursor'],
      ['an unknown parameter', { action: 'vendor.created' }, 'action'],
    ])('refuses %s with 400 naming the parameter', async (_label, query, field) => {
      const body = expectProblem(await events(query), 400, 'validation');
      expect(body.errors?.map((error) => error.field)).toContain(field);
    });

    it.each<[Role, number]>([
      ['admin', 200],
      ['procurement', 200],
      ['integration', 200],
      ['viewer', 200],
      ['reporter', 403],
    ])('answers %s with %i', async (role, status) => {
      const key = await t.keyFor(role);
      const response = await events({ entityType: 'vendor' }, key);
      expect(response.status).toBe(status);
      if (status === 403) {
        expect(expectProblem(response, 403, 'forbidden').detail).toContain(role);
      } else {
        expect(response.body.items.length).toBeGreaterThan(0);
      }
    });

    it('shows a product_owner only the events of engagements it owns, not vendor or person events', async () => {
      const key = await t.keyFor('product_owner', personId);
      const response = await events({ limit: 200 }, key);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ items: [], nextCursor: null });
    });

    it('answers a request without an API key with 401', async () => {
      expectProblem(await t.http().get('/v1/audit-events'), 401, 'unauthenticated');
    });
  });
});
