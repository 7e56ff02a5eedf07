import { randomBytes } from 'node:crypto';
import type { Role } from '../src/auth/role.js';
import { bearer, createTestApp, expectProblem, type TestApp } from './test-app.js';

const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** An e-mail address no other test uses. */
const uniqueEmail = (local = 'person') => `${local}.${randomBytes(4).toString('hex')}@example.com`;

/** The `i`-th spelling of `text` with another mix of upper and lower case. */
const caseVariant = (text: string, i: number) =>
  [...text].map((c, j) => ((i >> (j % 4)) & 1 ? c.toUpperCase() : c.toLowerCase())).join('');

interface PersonBody {
  id: string;
  name: string;
  email: string;
  team: string | null;
  createdAt: string;
  updatedAt: string;
  version: number;
}

describe('people', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const post = (body: object, key = t.adminKey) =>
    t.http().post('/v1/people').set(bearer(key)).send(body);
  const patch = (id: string, body: object, headers: Record<string, string> = {}) =>
    t
      .http()
      .patch(`/v1/people/${id}`)
      .set({ ...bearer(t.adminKey), ...headers })
      .send(body);
  const get = (id: string, key = t.adminKey) => t.http().get(`/v1/people/${id}`).set(bearer(key));

  async function createPerson(fields: Partial<PersonBody> = {}): Promise<PersonBody> {
    const response = await post({ name: 'Priya Raman', email: uniqueEmail(), ...fields });
    expect(response.status).toBe(201);
    return response.body;
  }

  async function rowsWithEmail(email: string): Promise<number> {
    const [{ count }] = await t.dataSource.query(
      'SELECT count(*)::int AS count FROM people WHERE lower(email) = lower($1)',
      [email.trim()],
    );
    return count;
  }

  describe('create and read', () => {
    it('adds a person with version 1 and ETag "1", trimming name, email and team', async () => {
      const email = uniqueEmail('priya');
      const response = await post({
        name: '  Priya Raman ',
        email: ` ${email} `,
        team: ' Data Platform ',
      });
      expect(response.status).toBe(201);
      expect(response.headers.etag).toBe('"1"');
      expect(response.body).toEqual({
        id: expect.stringMatching(UUID),
        name: 'Priya Raman',
        email,
        team: 'Data Platform',
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
        version: 1,
      });
    });

    it('adds a person without a team, team null', async () => {
      const person = await createPerson();
      expect(person.team).toBeNull();
    });

    it('reads a person by id with its ETag', async () => {
      const person = await createPerson({ team: 'Search' });
      const response = await get(person.id);
      expect(response.status).toBe(200);
      expect(response.headers.etag).toBe('"1"');
      expect(response.body).toEqual(person);
    });

    it('answers 404 for an unknown id', async () => {
      const body = expectProblem(await get(UNKNOWN_ID), 404, 'not-found');
      expect(body.detail).toContain(UNKNOWN_ID);
    });

    it.each(['get', 'patch'] as const)(
      'answers %s with an invalid uuid with 400 naming id',
      async (method) => {
        const response = await t
          .http()
          [method]('/v1/people/not-a-uuid')
          .set(bearer(t.adminKey))
          .send(method === 'patch' ? { team: 'x' } : undefined);
        const body = expectProblem(response, 400, 'validation');
        expect(body.errors).toEqual([{ field: 'id', message: 'id must be a UUID' }]);
      },
    );

    it.each<[string, Record<string, unknown>, string]>([
      ['name is missing', { name: undefined }, 'name'],
      ['name is empty', { name: '' }, 'name'],
      ['name is only whitespace', { name: '  ' }, 'name'],
      ['name is longer than 200 characters', { name: 'x'.repeat(201) }, 'name'],
      ['email is missing', { email: undefined }, 'email'],
      ['email is not an e-mail address', { email: 'priya at example' }, 'email'],
      ['email is null', { email: null }, 'email'],
      ['team is not a string', { team: 42 }, 'team'],
      ['team is longer than 200 characters', { team: 't'.repeat(201) }, 'team'],
      ['an unknown field is sent', { role: 'admin' }, 'role'],
    ])('refuses a person whose %s with 400 naming the field', async (_label, fields, field) => {
      const email = uniqueEmail();
      const response = await post({ name: 'Valid Name', email, ...fields });
      const body = expectProblem(response, 400, 'validation');
      expect(body.errors?.length).toBeGreaterThan(0);
      expect(body.errors?.map((error) => error.field)).toEqual(body.errors?.map(() => field));
      expect(await rowsWithEmail(email)).toBe(0);
    });

    it('names every invalid field at once', async () => {
      const response = await post({ name: '', email: 'nope', team: 7 });
      const body = expectProblem(response, 400, 'validation');
      expect(new Set(body.errors?.map((error) => error.field))).toEqual(
        new Set(['name', 'email', 'team']),
      );
    });

    it('has no DELETE route: 404 and the person stays', async () => {
      const person = await createPerson();
      const response = await t.http().delete(`/v1/people/${person.id}`).set(bearer(t.adminKey));
      expectProblem(response, 404, 'route-not-found');
      expect((await get(person.id)).body).toEqual(person);
    });
  });

  describe('unique e-mail addresses', () => {
    it('refuses a taken e-mail address, ignoring case, with 409 PERSON_EMAIL_TAKEN', async () => {
      const person = await createPerson();
      for (const email of [person.email, person.email.toUpperCase(), ` ${person.email} `]) {
        const response = await post({ name: 'Someone Else', email });
        const body = expectProblem(response, 409, 'conflict');
        expect(body.errors?.[0].code).toBe('PERSON_EMAIL_TAKEN');
      }
      expect(await rowsWithEmail(person.email)).toBe(1);
    });

    it('refuses changing an e-mail address to a taken one with 409 and writes nothing', async () => {
      const taken = await createPerson();
      const other = await createPerson();
      const response = await patch(other.id, { email: taken.email.toUpperCase(), team: 'Moved' });
      const body = expectProblem(response, 409, 'conflict');
      expect(body.errors?.[0].code).toBe('PERSON_EMAIL_TAKEN');
      expect((await get(other.id)).body).toEqual(other);
    });

    it('lets a person change the case of their own e-mail address', async () => {
      const person = await createPerson();
      const response = await patch(person.id, { email: person.email.toUpperCase() });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ email: person.email.toUpperCase(), version: 2 });
    });

    it('adds exactly one of 10 concurrent people with the same e-mail in different case', async () => {
      const email = uniqueEmail('race');
      const responses = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          post({ name: `Racer ${i}`, email: caseVariant(email, i) }),
        ),
      );
      expect(responses.map((response) => response.status).sort()).toEqual([
        201,
        ...Array(9).fill(409),
      ]);
      for (const response of responses.filter((r) => r.status === 409)) {
        expect(expectProblem(response, 409, 'conflict').errors?.[0].code).toBe(
          'PERSON_EMAIL_TAKEN',
        );
      }
      expect(await rowsWithEmail(email)).toBe(1);
    });
  });

  describe('updates', () => {
    it('changes the fields sent, keeps the others, and bumps the version and ETag', async () => {
      const person = await createPerson({ team: 'Search' });
      const response = await patch(person.id, { name: 'Priya R. Raman' });
      expect(response.status).toBe(200);
      expect(response.headers.etag).toBe('"2"');
      expect(response.body).toEqual({
        ...person,
        name: 'Priya R. Raman',
        updatedAt: expect.any(String),
        version: 2,
      });
      expect((await get(person.id)).body).toEqual(response.body);
    });

    it('clears team with null', async () => {
      const person = await createPerson({ team: 'Search' });
      const response = await patch(person.id, { team: null });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ team: null, version: 2 });
    });

    it.each<[string, Record<string, unknown>, string]>([
      ['name null', { name: null }, 'name'],
      ['email null', { email: null }, 'email'],
      ['an empty name', { name: '' }, 'name'],
      ['an invalid email', { email: 'nope' }, 'email'],
      ['an unknown field', { colour: 'blue' }, 'colour'],
    ])(
      'refuses a PATCH with %s with 400 naming the field, writing nothing',
      async (_l, fields, field) => {
        const person = await createPerson();
        const response = await patch(person.id, { team: 'should not stick', ...fields });
        const body = expectProblem(response, 400, 'validation');
        expect(body.errors?.map((error) => error.field)).toContain(field);
        expect((await get(person.id)).body).toEqual(person);
      },
    );

    it('keeps the version when a PATCH changes nothing', async () => {
      const person = await createPerson({ team: 'Search' });
      const response = await patch(person.id, { name: person.name, team: 'Search' });
      expect(response.status).toBe(200);
      expect(response.body).toEqual(person);
    });

    it('answers 404 for a PATCH of an unknown person', async () => {
      expectProblem(await patch(UNKNOWN_ID, { team: 'x' }), 404, 'not-found');
    });

    it('answers a stale If-Match with 412 and writes nothing', async () => {
      const person = await createPerson();
      await patch(person.id, { team: 'First' }, { 'If-Match': '"1"' }).expect(200);
      const stale = await patch(person.id, { team: 'Lost' }, { 'If-Match': '"1"' });
      expectProblem(stale, 412, 'precondition-failed');
      expect(stale.headers.etag).toBe('"2"');
      expect((await get(person.id)).body).toMatchObject({ team: 'First', version: 2 });
    });

    it('lets exactly one of 20 concurrent PATCHes with the same If-Match win, with one audit event', async () => {
      const person = await createPerson();
      const responses = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          patch(person.id, { team: `Team ${i}` }, { 'If-Match': '"1"' }),
        ),
      );
      const winners = responses.filter((response) => response.status === 200);
      expect(winners).toHaveLength(1);
      for (const response of responses.filter((r) => r.status !== 200)) {
        expectProblem(response, 412, 'precondition-failed');
      }
      expect((await get(person.id)).body).toMatchObject({
        team: winners[0].body.team,
        version: 2,
      });
      const events = await t
        .http()
        .get('/v1/audit-events')
        .query({ entityType: 'person', entityId: person.id })
        .set(bearer(t.adminKey));
      expect(
        events.body.items.filter((event: { action: string }) => event.action === 'person.updated'),
      ).toHaveLength(1);
    });
  });

  describe('list', () => {
    const list = (query: Record<string, string | number>) =>
      t.http().get('/v1/people').query(query).set(bearer(t.adminKey));

    it('pages with limit and cursor, oldest first, each person once', async () => {
      const team = `paging-${randomBytes(4).toString('hex')}`;
      const created: PersonBody[] = [];
      for (let i = 0; i < 5; i++) {
        created.push(await createPerson({ name: `Pager ${team} ${i}`, team }));
      }
      const pages: PersonBody[][] = [];
      let cursor: string | null = null;
      do {
        const response: { status: number; body: { items: PersonBody[]; nextCursor: string } } =
          await list({ q: team, limit: 2, ...(cursor ? { cursor } : {}) });
        expect(response.status).toBe(200);
        pages.push(response.body.items);
        cursor = response.body.nextCursor;
      } while (cursor);
      expect(pages.map((page) => page.length)).toEqual([2, 2, 1]);
      const seen = pages.flat();
      expect(seen.map((person) => person.id).sort()).toEqual(created.map((p) => p.id).sort());
      const times = seen.map((person) => Date.parse(person.createdAt));
      expect(times).toEqual([...times].sort((a, b) => a - b));
    });

    it('filters by q on name or e-mail, ignoring case, with % and _ literal', async () => {
      const tag = randomBytes(4).toString('hex');
      const byName = await createPerson({ name: `Ada ${tag} Lovelace` });
      const byEmail = await createPerson({ email: `grace.${tag}@navy.example` });
      const underscore = await createPerson({ name: `Under_${tag}` });
      const underX = await createPerson({ name: `UnderX${tag}` });

      const ids = async (q: string) =>
        (await list({ q })).body.items.map((person: PersonBody) => person.id).sort();
      expect(await ids(tag.toUpperCase())).toEqual(
        [byName.id, byEmail.id, underscore.id, underX.id].sort(),
      );
      expect(await ids(`GRACE.${tag}`)).toEqual([byEmail.id]);
      expect(await ids(`under_${tag}`)).toEqual([underscore.id]);
      expect(await ids(`ada%${tag}`)).toEqual([]);
    });

    it('refuses limit=0 with 400 naming limit', async () => {
      const body = expectProblem(await list({ limit: 0 }), 400, 'validation');
      expect(body.errors?.[0].field).toBe('limit');
    });
  });

  describe('roles', () => {
    let poPersonId: string;

    beforeAll(async () => {
      poPersonId = (await createPerson({ name: 'Petra Product' })).id;
    });

    const keyOf = (role: Role) =>
      role === 'product_owner' ? t.keyFor(role, poPersonId) : t.keyFor(role);

    it.each<[Role, { read: number; create: number; update: number }]>([
      ['admin', { read: 200, create: 201, update: 200 }],
      ['procurement', { read: 200, create: 201, update: 200 }],
      ['product_owner', { read: 200, create: 403, update: 403 }],
      ['integration', { read: 200, create: 403, update: 403 }],
      ['viewer', { read: 200, create: 403, update: 403 }],
      ['reporter', { read: 403, create: 403, update: 403 }],
    ])('lets %s act as SPEC §4 says', async (role, expected) => {
      const key = await keyOf(role);
      const person = await createPerson();

      const listed = await t.http().get('/v1/people').set(bearer(key));
      expect(listed.status).toBe(expected.read);
      const read = await get(person.id, key);
      expect(read.status).toBe(expected.read);

      const email = uniqueEmail(role);
      const created = await post({ name: `Made by ${role}`, email }, key);
      expect(created.status).toBe(expected.create);
      expect(await rowsWithEmail(email)).toBe(expected.create === 201 ? 1 : 0);

      const updated = await t
        .http()
        .patch(`/v1/people/${person.id}`)
        .set(bearer(key))
        .send({ team: `edited by ${role}` });
      expect(updated.status).toBe(expected.update);
      if (expected.update === 403) expect((await get(person.id)).body).toEqual(person);

      for (const response of [listed, read, created, updated]) {
        if (response.status === 403) {
          expect(expectProblem(response, 403, 'forbidden').detail).toContain(role);
        }
      }
    });
  });

  describe('API keys for product owners', () => {
    it('refuses a product_owner key for a person that does not exist with 400 naming personId', async () => {
      const response = await t
        .http()
        .post('/v1/api-keys')
        .set(bearer(t.adminKey))
        .send({ name: 'Ghost PO', role: 'product_owner', personId: UNKNOWN_ID });
      const body = expectProblem(response, 400, 'validation');
      expect(body.errors).toEqual([
        { field: 'personId', message: 'personId refers to a person that does not exist' },
      ]);
      const [{ count }] = await t.dataSource.query(
        `SELECT count(*)::int AS count FROM api_keys WHERE name = 'Ghost PO'`,
      );
      expect(count).toBe(0);
    });

    it('refuses a personId that is not a uuid with 400 naming personId', async () => {
      const response = await t
        .http()
        .post('/v1/api-keys')
        .set(bearer(t.adminKey))
        .send({ name: 'Bad PO', role: 'product_owner', personId: 'petra' });
      const body = expectProblem(response, 400, 'validation');
      expect(body.errors?.map((error) => error.field)).toEqual(['personId']);
    });

    it('issues a product_owner key for an existing person, which reads but does not edit people', async () => {
      const person = await createPerson({ name: 'Olivia Owner' });
      const response = await t
        .http()
        .post('/v1/api-keys')
        .set(bearer(t.adminKey))
        .send({ name: 'Olivia dashboard', role: 'product_owner', personId: person.id });
      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({ role: 'product_owner', personId: person.id });

      const secret = response.body.secret as string;
      expect((await get(person.id, secret)).status).toBe(200);
      expectProblem(
        await t.http().patch(`/v1/people/${person.id}`).set(bearer(secret)).send({ team: 'x' }),
        403,
        'forbidden',
      );
    });
  });
});
