import { randomBytes } from 'node:crypto';
import type { Role } from '../src/auth/role.js';
import { bearer, createTestApp, expectProblem, type TestApp } from './test-app.js';

const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A name no other test uses. */
const unique = (base: string) => `${base} ${randomBytes(4).toString('hex')}`;

/** The `i`-th spelling of `name` with another mix of upper and lower case. */
const caseVariant = (name: string, i: number) =>
  [...name].map((c, j) => ((i >> (j % 4)) & 1 ? c.toUpperCase() : c.toLowerCase())).join('');

interface VendorBody {
  id: string;
  name: string;
  contactEmail: string | null;
  website: string | null;
  notes: string | null;
  createdAt: string;
  updatedAt: string;
  version: number;
}

describe('vendors', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const post = (body: object, key = t.adminKey) =>
    t.http().post('/v1/vendors').set(bearer(key)).send(body);
  const patch = (id: string, body: object, headers: Record<string, string> = {}) =>
    t
      .http()
      .patch(`/v1/vendors/${id}`)
      .set({ ...bearer(t.adminKey), ...headers })
      .send(body);
  const get = (id: string, key = t.adminKey) => t.http().get(`/v1/vendors/${id}`).set(bearer(key));

  async function createVendor(fields: Partial<VendorBody> = {}): Promise<VendorBody> {
    const response = await post({ name: unique('Vendor'), ...fields });
    expect(response.status).toBe(201);
    return response.body;
  }

  async function rowsNamed(name: string): Promise<number> {
    const [{ count }] = await t.dataSource.query(
      'SELECT count(*)::int AS count FROM vendors WHERE lower(name) = lower($1)',
      [name],
    );
    return count;
  }

  describe('create and read', () => {
    it('creates a vendor with version 1 and ETag "1", trimming the name', async () => {
      const name = unique('Acme AI Labs');
      const response = await post({
        name: `  ${name}  `,
        contactEmail: 'delivery@acme-ai.example',
        website: 'https://acme-ai.example',
        notes: 'Framework agreement FA-2026-014',
      });
      expect(response.status).toBe(201);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(response.headers.etag).toBe('"1"');
      expect(response.body).toEqual({
        id: expect.stringMatching(UUID),
        name,
        contactEmail: 'delivery@acme-ai.example',
        website: 'https://acme-ai.example',
        notes: 'Framework agreement FA-2026-014',
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
        version: 1,
      });
      expect(new Date(response.body.createdAt).toISOString()).toBe(response.body.createdAt);
      expect(response.body.updatedAt).toBe(response.body.createdAt);
    });

    it('creates a vendor from a name alone, the optional fields null', async () => {
      const vendor = await createVendor();
      expect(vendor).toMatchObject({ contactEmail: null, website: null, notes: null, version: 1 });
    });

    it('accepts explicit nulls for the optional fields', async () => {
      const vendor = await createVendor({ contactEmail: null, website: null, notes: null });
      expect(vendor).toMatchObject({ contactEmail: null, website: null, notes: null });
    });

    it('reads a vendor by id with its ETag', async () => {
      const vendor = await createVendor({ website: 'http://example.com/vendor' });
      const response = await get(vendor.id);
      expect(response.status).toBe(200);
      expect(response.headers.etag).toBe('"1"');
      expect(response.body).toEqual(vendor);
    });

    it('answers 404 for an unknown id', async () => {
      const response = await get(UNKNOWN_ID);
      const body = expectProblem(response, 404, 'not-found');
      expect(body.detail).toContain(UNKNOWN_ID);
    });

    it.each(['get', 'patch', 'delete'] as const)(
      'answers %s with an invalid uuid with 400 naming id',
      async (method) => {
        const response = await t
          .http()
          [method]('/v1/vendors/not-a-uuid')
          .set(bearer(t.adminKey))
          .send(method === 'patch' ? { notes: 'x' } : undefined);
        const body = expectProblem(response, 400, 'validation');
        expect(body.errors).toEqual([{ field: 'id', message: 'id must be a UUID' }]);
      },
    );

    it.each<[string, Record<string, unknown>, string]>([
      ['name is missing', { name: undefined }, 'name'],
      ['name is empty', { name: '' }, 'name'],
      ['name is only whitespace', { name: '   ' }, 'name'],
      ['name is not a string', { name: 42 }, 'name'],
      ['name is null', { name: null }, 'name'],
      ['name is longer than 200 characters', { name: 'x'.repeat(201) }, 'name'],
      ['contactEmail is not an e-mail address', { contactEmail: 'not-an-email' }, 'contactEmail'],
      ['website is not http(s)', { website: 'ftp://files.example.com' }, 'website'],
      ['website has no protocol', { website: 'acme.example' }, 'website'],
      ['website is a javascript: URL', { website: 'javascript:alert(1)' }, 'website'],
      ['notes is not a string', { notes: ['a'] }, 'notes'],
      ['an unknown field is sent', { colour: 'blue' }, 'colour'],
      ['id is sent', { id: UNKNOWN_ID }, 'id'],
      ['version is sent', { version: 7 }, 'version'],
    ])('refuses a vendor whose %s with 400 naming the field', async (_label, fields, field) => {
      const name = unique('Invalid');
      const response = await post({ name, ...fields });
      const body = expectProblem(response, 400, 'validation');
      expect(body.errors?.length).toBeGreaterThan(0);
      expect(body.errors?.map((error) => error.field)).toEqual(body.errors?.map(() => field));
      expect(await rowsNamed(name)).toBe(0);
    });

    it('names the unknown field in its message', async () => {
      const response = await post({ name: unique('Colourful'), colour: 'blue' });
      const body = expectProblem(response, 400, 'validation');
      expect(body.errors).toEqual([{ field: 'colour', message: 'colour is not a known field' }]);
    });

    it('names every invalid field at once', async () => {
      const response = await post({ name: '', contactEmail: 'nope', website: 'nope' });
      const body = expectProblem(response, 400, 'validation');
      expect(new Set(body.errors?.map((error) => error.field))).toEqual(
        new Set(['name', 'contactEmail', 'website']),
      );
    });
  });

  describe('unique names', () => {
    it('refuses a duplicate name, ignoring case and surrounding space, with 409 VENDOR_NAME_TAKEN', async () => {
      const vendor = await createVendor({ name: unique('Globex Analytics') });
      for (const duplicate of [
        vendor.name,
        vendor.name.toUpperCase(),
        ` ${vendor.name.toLowerCase()} `,
      ]) {
        const response = await post({ name: duplicate });
        const body = expectProblem(response, 409, 'conflict');
        expect(body.errors?.[0].code).toBe('VENDOR_NAME_TAKEN');
      }
      expect(await rowsNamed(vendor.name)).toBe(1);
    });

    it('refuses renaming a vendor to a taken name with 409 and writes nothing', async () => {
      const taken = await createVendor();
      const other = await createVendor();
      const response = await patch(other.id, { name: taken.name.toUpperCase(), notes: 'renamed' });
      const body = expectProblem(response, 409, 'conflict');
      expect(body.errors?.[0].code).toBe('VENDOR_NAME_TAKEN');
      expect((await get(other.id)).body).toEqual(other);
    });

    it('lets a vendor change the case of its own name', async () => {
      const vendor = await createVendor({ name: unique('Initech') });
      const response = await patch(vendor.id, { name: vendor.name.toUpperCase() });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ name: vendor.name.toUpperCase(), version: 2 });
    });

    it('creates exactly one of 10 concurrent vendors with the same name in different case', async () => {
      const name = unique('Concurrent Robotics');
      const responses = await Promise.all(
        Array.from({ length: 10 }, (_, i) => post({ name: caseVariant(name, i) })),
      );
      const statuses = responses.map((response) => response.status).sort();
      expect(statuses).toEqual([201, ...Array(9).fill(409)]);
      for (const response of responses.filter((r) => r.status === 409)) {
        expect(expectProblem(response, 409, 'conflict').errors?.[0].code).toBe('VENDOR_NAME_TAKEN');
      }
      expect(await rowsNamed(name)).toBe(1);
    });
    it('compares names ignoring the case of non-ASCII letters too', async () => {
      const vendor = await createVendor({ name: unique('Ärzte Ωmega') });
      const response = await post({ name: vendor.name.toUpperCase() });
      expect(expectProblem(response, 409, 'conflict').errors?.[0].code).toBe('VENDOR_NAME_TAKEN');
    });

    it('lets exactly one of 10 concurrent renames to the same name win', async () => {
      const vendors = await Promise.all(Array.from({ length: 10 }, () => createVendor()));
      const name = unique('Renamed Together');
      const responses = await Promise.all(
        vendors.map((vendor, i) => patch(vendor.id, { name: caseVariant(name, i) })),
      );
      expect(responses.map((response) => response.status).sort()).toEqual([
        200,
        ...Array(9).fill(409),
      ]);
      for (const response of responses.filter((r) => r.status === 409)) {
        expect(expectProblem(response, 409, 'conflict').errors?.[0].code).toBe('VENDOR_NAME_TAKEN');
      }
      expect(await rowsNamed(name)).toBe(1);
    });
  });

  describe('updates', () => {
    it('changes the fields sent, keeps the others, and bumps the version and ETag', async () => {
      const vendor = await createVendor({ contactEmail: 'a@vendor.example', notes: 'first' });
      const response = await patch(vendor.id, {
        website: 'https://vendor.example',
        notes: 'second',
      });
      expect(response.status).toBe(200);
      expect(response.headers.etag).toBe('"2"');
      expect(response.body).toEqual({
        ...vendor,
        website: 'https://vendor.example',
        notes: 'second',
        updatedAt: expect.any(String),
        version: 2,
      });
      expect(Date.parse(response.body.updatedAt)).toBeGreaterThanOrEqual(
        Date.parse(vendor.updatedAt),
      );
      expect((await get(vendor.id)).body).toEqual(response.body);
    });

    it('clears contactEmail with null', async () => {
      const vendor = await createVendor({ contactEmail: 'sales@vendor.example' });
      const response = await patch(vendor.id, { contactEmail: null });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ contactEmail: null, version: 2 });
      expect((await get(vendor.id)).body.contactEmail).toBeNull();
    });

    it('refuses name null with 400 naming name, writing nothing', async () => {
      const vendor = await createVendor();
      const response = await patch(vendor.id, { name: null, notes: 'should not stick' });
      const body = expectProblem(response, 400, 'validation');
      expect(body.errors?.map((error) => error.field)).toContain('name');
      expect((await get(vendor.id)).body).toEqual(vendor);
    });

    it.each<[string, Record<string, unknown>, string]>([
      ['an empty name', { name: '' }, 'name'],
      ['an invalid contactEmail', { contactEmail: 'nope' }, 'contactEmail'],
      ['a website that is not http(s)', { website: 'mailto:a@b.example' }, 'website'],
      ['an unknown field', { colour: 'blue' }, 'colour'],
      ['a version', { version: 9 }, 'version'],
    ])('refuses a PATCH with %s with 400 naming the field', async (_label, fields, field) => {
      const vendor = await createVendor();
      const response = await patch(vendor.id, fields);
      const body = expectProblem(response, 400, 'validation');
      expect(body.errors?.map((error) => error.field)).toContain(field);
      expect((await get(vendor.id)).body).toEqual(vendor);
    });

    it('keeps the version when a PATCH changes nothing', async () => {
      const vendor = await createVendor({ notes: 'same' });
      const response = await patch(vendor.id, { name: vendor.name, notes: 'same' });
      expect(response.status).toBe(200);
      expect(response.headers.etag).toBe('"1"');
      expect(response.body).toEqual(vendor);
    });

    it('answers 404 for a PATCH of an unknown vendor', async () => {
      expectProblem(await patch(UNKNOWN_ID, { notes: 'x' }), 404, 'not-found');
    });

    it('applies a PATCH whose If-Match is current, in strong or weak form', async () => {
      const vendor = await createVendor();
      const first = await patch(vendor.id, { notes: 'one' }, { 'If-Match': '"1"' });
      expect(first.status).toBe(200);
      const second = await patch(vendor.id, { notes: 'two' }, { 'If-Match': 'W/"2"' });
      expect(second.status).toBe(200);
      expect(second.body).toMatchObject({ notes: 'two', version: 3 });
    });

    it('answers a stale If-Match with 412 and writes nothing', async () => {
      const vendor = await createVendor({ notes: 'original' });
      const first = await patch(vendor.id, { notes: 'updated' }, { 'If-Match': '"1"' });
      expect(first.status).toBe(200);

      const stale = await patch(vendor.id, { notes: 'lost update' }, { 'If-Match': '"1"' });
      expectProblem(stale, 412, 'precondition-failed');
      expect(stale.headers.etag).toBe('"2"');

      const current = await get(vendor.id);
      expect(current.body).toMatchObject({ notes: 'updated', version: 2 });
    });

    it('answers a malformed If-Match with 400 naming If-Match', async () => {
      const vendor = await createVendor();
      const response = await patch(vendor.id, { notes: 'x' }, { 'If-Match': 'version one' });
      const body = expectProblem(response, 400, 'validation');
      expect(body.errors?.[0].field).toBe('If-Match');
      expect((await get(vendor.id)).body.version).toBe(1);
    });

    it('lets exactly one of 20 concurrent PATCHes with the same If-Match win, with one audit event', async () => {
      const vendor = await createVendor();
      const responses = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          patch(vendor.id, { notes: `writer ${i}` }, { 'If-Match': '"1"' }),
        ),
      );
      const winners = responses.filter((response) => response.status === 200);
      expect(winners).toHaveLength(1);
      for (const response of responses.filter((r) => r.status !== 200)) {
        expectProblem(response, 412, 'precondition-failed');
      }

      const current = await get(vendor.id);
      expect(current.body).toMatchObject({ version: 2, notes: winners[0].body.notes });

      const events = await t
        .http()
        .get('/v1/audit-events')
        .query({ entityType: 'vendor', entityId: vendor.id })
        .set(bearer(t.adminKey));
      expect(events.status).toBe(200);
      const updates = events.body.items.filter(
        (event: { action: string }) => event.action === 'vendor.updated',
      );
      expect(updates).toHaveLength(1);
      expect(updates[0].changes).toEqual({ notes: { from: null, to: winners[0].body.notes } });
    });
  });

  describe('delete', () => {
    it('deletes a vendor with 204, after which it is 404', async () => {
      const vendor = await createVendor();
      const response = await t.http().delete(`/v1/vendors/${vendor.id}`).set(bearer(t.adminKey));
      expect(response.status).toBe(204);
      expect(response.text).toBe('');

      expectProblem(await get(vendor.id), 404, 'not-found');
      expectProblem(await patch(vendor.id, { notes: 'x' }), 404, 'not-found');
      expectProblem(
        await t.http().delete(`/v1/vendors/${vendor.id}`).set(bearer(t.adminKey)),
        404,
        'not-found',
      );
      expect(await rowsNamed(vendor.name)).toBe(0);
    });

    it('frees the name of a deleted vendor', async () => {
      const vendor = await createVendor();
      await t.http().delete(`/v1/vendors/${vendor.id}`).set(bearer(t.adminKey)).expect(204);
      const again = await post({ name: vendor.name.toLowerCase() });
      expect(again.status).toBe(201);
    });

    it('answers 404 when deleting an unknown vendor', async () => {
      const response = await t.http().delete(`/v1/vendors/${UNKNOWN_ID}`).set(bearer(t.adminKey));
      expectProblem(response, 404, 'not-found');
    });

    it('answers a DELETE with a stale If-Match with 412 and keeps the vendor', async () => {
      const vendor = await createVendor();
      await patch(vendor.id, { notes: 'now version 2' }).expect(200);
      const response = await t
        .http()
        .delete(`/v1/vendors/${vendor.id}`)
        .set({ ...bearer(t.adminKey), 'If-Match': '"1"' });
      expectProblem(response, 412, 'precondition-failed');
      expect((await get(vendor.id)).status).toBe(200);

      const current = await t
        .http()
        .delete(`/v1/vendors/${vendor.id}`)
        .set({ ...bearer(t.adminKey), 'If-Match': '"2"' });
      expect(current.status).toBe(204);
    });

    it('deletes a vendor once when 5 DELETEs race: one 204, the rest 404, one event', async () => {
      const vendor = await createVendor();
      const responses = await Promise.all(
        Array.from({ length: 5 }, () =>
          t.http().delete(`/v1/vendors/${vendor.id}`).set(bearer(t.adminKey)),
        ),
      );
      expect(responses.map((response) => response.status).sort()).toEqual([
        204, 404, 404, 404, 404,
      ]);
      const events = await t
        .http()
        .get('/v1/audit-events')
        .query({ entityType: 'vendor', entityId: vendor.id })
        .set(bearer(t.adminKey));
      expect(
        events.body.items.filter((event: { action: string }) => event.action === 'vendor.deleted'),
      ).toHaveLength(1);
    });

    it('refuses to delete a vendor with engagements with 409 VENDOR_HAS_ENGAGEMENTS', async () => {
      const vendor = await createVendor();
      const person = await t
        .http()
        .post('/v1/people')
        .set(bearer(t.adminKey))
        .send({ name: 'Olivia Owner', email: `${unique('olivia').replace(' ', '.')}@example.com` });
      expect(person.status).toBe(201);
      await t.dataSource.query(
        `INSERT INTO engagements
           (title, vendor_id, product_owner_id, spec_problem, spec_success_metrics,
            spec_constraints, spec_trade_off_owner_id)
         VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $3)`,
        [
          'Churn model',
          vendor.id,
          person.body.id,
          'Customer churn is detected too late to act on it.',
          JSON.stringify([{ name: 'Recall', target: '>= 0.8' }]),
          JSON.stringify(['Runs in our own cloud account']),
        ],
      );

      const response = await t.http().delete(`/v1/vendors/${vendor.id}`).set(bearer(t.adminKey));
      const body = expectProblem(response, 409, 'conflict');
      expect(body.errors?.[0].code).toBe('VENDOR_HAS_ENGAGEMENTS');
      expect((await get(vendor.id)).body).toEqual(vendor);
    });
  });

  describe('list', () => {
    const list = (query: Record<string, string | number>, key = t.adminKey) =>
      t.http().get('/v1/vendors').query(query).set(bearer(key));

    it('pages with limit and cursor, oldest first, each vendor once', async () => {
      const tag = unique('Paging');
      const created: VendorBody[] = [];
      for (let i = 0; i < 5; i++) created.push(await createVendor({ name: `${tag} ${i}` }));

      const pages: VendorBody[][] = [];
      let cursor: string | null = null;
      do {
        const response: { status: number; body: { items: VendorBody[]; nextCursor: string } } =
          await list({ q: tag, limit: 2, ...(cursor ? { cursor } : {}) });
        expect(response.status).toBe(200);
        pages.push(response.body.items);
        cursor = response.body.nextCursor;
      } while (cursor);

      expect(pages.map((page) => page.length)).toEqual([2, 2, 1]);
      const seen = pages.flat();
      expect(seen.map((vendor) => vendor.id).sort()).toEqual(
        created.map((vendor) => vendor.id).sort(),
      );
      const times = seen.map((vendor) => Date.parse(vendor.createdAt));
      expect(times).toEqual([...times].sort((a, b) => a - b));
      expect(seen.find((vendor) => vendor.id === created[0].id)).toEqual(created[0]);
    });

    it('returns everything on one page with nextCursor null when it fits', async () => {
      const tag = unique('Fits');
      await createVendor({ name: `${tag} a` });
      const response = await list({ q: tag });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ items: [expect.any(Object)], nextCursor: null });
    });

    it.each(['0', '201', 'ten'])('refuses limit=%s with 400 naming limit', async (limit) => {
      const body = expectProblem(await list({ limit }), 400, 'validation');
      expect(body.errors?.every((error) => error.field === 'limit')).toBe(true);
    });

    it('refuses a cursor it did not issue with 400', async () => {
      const body = expectProblem(await list({ cursor: 'Zm9v' }), 400, 'validation');
      expect(body.errors?.[0].field).toBe('cursor');
    });

    it('refuses an unknown query parameter with 400 naming it', async () => {
      const body = expectProblem(await list({ colour: 'blue' }), 400, 'validation');
      expect(body.errors?.[0].field).toBe('colour');
    });

    it('filters by q: name contains, ignoring case', async () => {
      const tag = randomBytes(4).toString('hex');
      const a = await createVendor({ name: `Zeta ${tag} Robotics` });
      const b = await createVendor({ name: `zeta ${tag} ROBOTICS Labs` });
      await createVendor({ name: `Other ${tag} Vision` });

      const response = await list({ q: `TA ${tag.toUpperCase()} rob` });
      expect(response.status).toBe(200);
      expect(response.body.items.map((vendor: VendorBody) => vendor.id).sort()).toEqual(
        [a.id, b.id].sort(),
      );
    });

    it('matches % and _ in q literally', async () => {
      const tag = randomBytes(4).toString('hex');
      const percent = await createVendor({ name: `${tag} 100% Pure` });
      await createVendor({ name: `${tag} 1000 Pure` });
      const underscore = await createVendor({ name: `${tag} deep_mind` });
      await createVendor({ name: `${tag} deepXmind` });
      const backslash = await createVendor({ name: `${tag} back\\slash` });
      await createVendor({ name: `${tag} backslash` });

      const ids = async (q: string) =>
        (await list({ q })).body.items.map((vendor: VendorBody) => vendor.id);
      expect(await ids(`${tag} 100%`)).toEqual([percent.id]);
      expect(await ids(`${tag} deep_`)).toEqual([underscore.id]);
      expect(await ids(`k\\s`)).toEqual([backslash.id]);
      expect(await ids(`${tag}%Pure`)).toEqual([]);
      expect(await ids(`${tag}_`)).toEqual([]);
    });
  });

  describe('roles', () => {
    let poPersonId: string;

    beforeAll(async () => {
      const person = await t
        .http()
        .post('/v1/people')
        .set(bearer(t.adminKey))
        .send({ name: 'Petra Product', email: `${randomBytes(4).toString('hex')}@po.example` });
      expect(person.status).toBe(201);
      poPersonId = person.body.id;
    });

    const keyOf = (role: Role) =>
      role === 'product_owner' ? t.keyFor(role, poPersonId) : t.keyFor(role);

    it.each<[Role, { read: number; create: number; update: number; remove: number }]>([
      ['admin', { read: 200, create: 201, update: 200, remove: 204 }],
      ['procurement', { read: 200, create: 201, update: 200, remove: 204 }],
      ['product_owner', { read: 200, create: 403, update: 403, remove: 403 }],
      ['integration', { read: 200, create: 403, update: 403, remove: 403 }],
      ['viewer', { read: 200, create: 403, update: 403, remove: 403 }],
      ['reporter', { read: 403, create: 403, update: 403, remove: 403 }],
    ])('lets %s act as SPEC §4 says', async (role, expected) => {
      const key = await keyOf(role);
      const vendor = await createVendor();

      const listed = await t.http().get('/v1/vendors').set(bearer(key));
      expect(listed.status).toBe(expected.read);
      const read = await get(vendor.id, key);
      expect(read.status).toBe(expected.read);

      const name = unique(`By ${role}`);
      const created = await post({ name }, key);
      expect(created.status).toBe(expected.create);
      expect(await rowsNamed(name)).toBe(expected.create === 201 ? 1 : 0);

      const updated = await t
        .http()
        .patch(`/v1/vendors/${vendor.id}`)
        .set(bearer(key))
        .send({ notes: `edited by ${role}` });
      expect(updated.status).toBe(expected.update);

      const removed = await t.http().delete(`/v1/vendors/${vendor.id}`).set(bearer(key));
      expect(removed.status).toBe(expected.remove);

      for (const response of [listed, read, created, updated, removed]) {
        if (response.status === 403)
          expect(expectProblem(response, 403, 'forbidden').detail).toContain(role);
      }
      if (expected.remove === 403) expect((await get(vendor.id)).body).toEqual(vendor);
    });

    it('answers a request without an API key with 401', async () => {
      expectProblem(await t.http().get('/v1/vendors'), 401, 'unauthenticated');
      expectProblem(
        await t
          .http()
          .post('/v1/vendors')
          .send({ name: unique('Anonymous') }),
        401,
        'unauthenticated',
      );
    });
  });
});
