import { Agent } from 'node:http';
import { Client } from 'pg';
import { ApiProcess } from './api-process.js';
import { type Answer, send, sleep } from './net.js';
import { ThrowawayCluster } from './pg-cluster.js';
import { report, succeeded, type Write, WriteLoad } from './write-load.js';

const EDITORS = 8;
const EDITS_PER_EDITOR = 12;
const REPORT_CALLS = 10;
const TIMEOUT_MS = 15_000;

interface Edit {
  token: string;
  readVersion: number;
  answer: Answer;
}

/**
 * Two server processes share one PostgreSQL. Editors read a vendor and PATCH it with If-Match,
 * alternating instances, while other clients create vendors and the weekly report is requested
 * on both instances at once. The database, not process memory, must keep them consistent.
 */
describe('two API instances on one database', () => {
  let cluster: ThrowawayCluster;
  const apis: ApiProcess[] = [];

  beforeAll(async () => {
    cluster = await ThrowawayCluster.create();
    // One after the other: the second finds the schema migrated and the admin key in place.
    apis.push(await ApiProcess.start(cluster.url));
    apis.push(await ApiProcess.start(cluster.url, {}, apis[0].adminKey));
  });

  afterAll(async () => {
    for (const api of apis) api.kill();
    await Promise.all(apis.map((api) => api.exited));
    await cluster?.destroy();
  });

  it('loses no If-Match update and makes one weekly report under concurrent writes', async () => {
    const auth = { Authorization: `Bearer ${apis[0].adminKey}` };
    const created = await send(apis[0].base, '/v1/vendors', {
      method: 'POST',
      headers: auth,
      body: { name: 'Edited from two instances' },
      timeoutMs: TIMEOUT_MS,
    });
    expect(created.status).toBe(201);
    const vendorId = (created.body as { id: string }).id;

    const loads = apis.map(
      (api, i) =>
        new WriteLoad(api.base, api.adminKey, {
          clients: 2,
          prefix: `two-instances-${i}`,
          timeoutMs: TIMEOUT_MS,
        }),
    );
    const agent = new Agent({ keepAlive: true });
    const edits: Edit[] = [];
    let reports: Answer[];
    let writes: Write[] = [];
    // Whatever fails below, the clients stop: looping on, they would keep Jest alive.
    try {
      const editor = async (n: number) => {
        for (let attempt = 0; attempt < EDITS_PER_EDITOR; attempt++) {
          const readFrom = apis[(n + attempt) % 2];
          const writeTo = apis[(n + attempt + 1) % 2];
          const read = await send(readFrom.base, `/v1/vendors/${vendorId}`, {
            headers: auth,
            timeoutMs: TIMEOUT_MS,
            agent,
          });
          if (read.status !== 200) {
            edits.push({ token: 'read failed', readVersion: Number.NaN, answer: read });
            continue;
          }
          const readVersion = (read.body as { version: number }).version;
          const token = `edit-${n}-${attempt}`;
          const answer = await send(writeTo.base, `/v1/vendors/${vendorId}`, {
            method: 'PATCH',
            headers: { ...auth, 'If-Match': String(read.headers.etag) },
            body: { notes: token },
            timeoutMs: TIMEOUT_MS,
            agent,
          });
          edits.push({ token, readVersion, answer });
        }
      };
      const editing = Promise.all(Array.from({ length: EDITORS }, (_, n) => editor(n)));
      await sleep(300);
      const reporting = Promise.all(
        Array.from({ length: REPORT_CALLS }, (_, i) =>
          send(apis[i % 2].base, '/v1/reports/weekly', {
            method: 'POST',
            headers: auth,
            body: {},
            timeoutMs: TIMEOUT_MS,
          }),
        ),
      );
      [reports] = await Promise.all([reporting, editing]);
    } finally {
      agent.destroy();
      writes = (await Promise.all(loads.map((load) => load.stop()))).flat();
    }

    const applied = edits.filter((edit) => edit.answer.status === 200);
    const stale = edits.filter((edit) => edit.answer.status === 412);

    const db = new Client({ connectionString: cluster.url });
    await db.connect();
    const [vendor] = (
      await db.query<{ version: number; notes: string }>(
        'SELECT version, notes FROM vendors WHERE id = $1',
        [vendorId],
      )
    ).rows;
    const events = (
      await db.query<{ changes: { notes: { from: string | null; to: string } } }>(
        `SELECT changes FROM audit_events WHERE entity_id = $1 AND action = 'vendor.updated'`,
        [vendorId],
      )
    ).rows.map((row) => row.changes.notes);
    const [{ count: reportRows }] = (
      await db.query<{ count: number }>('SELECT count(*)::int AS count FROM weekly_reports')
    ).rows;
    const stored = new Set(
      (
        await db.query<{ name: string }>(
          "SELECT name FROM vendors WHERE name LIKE 'two-instances-%'",
        )
      ).rows.map((row) => row.name),
    );
    await db.end();

    report(
      `two instances: ${edits.length} If-Match PATCHes, ${applied.length} answered 200, ` +
        `${stale.length} answered 412; final version ${vendor.version} (1 + ${applied.length} expected); ` +
        `${events.length} update events audited`,
    );
    report(
      `two instances: ${REPORT_CALLS} concurrent report calls answered ` +
        `${reports.map((answer) => answer.status ?? answer.error).join(',')}; ` +
        `${reportRows} report row(s); ${writes.filter(succeeded).length}/${writes.length} concurrent creates answered 2xx`,
    );

    expect(applied.length + stale.length).toBe(edits.length);
    expect(applied.length).toBeGreaterThan(0);
    for (const edit of applied) {
      expect(edit.answer.body).toMatchObject({ notes: edit.token, version: edit.readVersion + 1 });
      expect(edit.answer.headers.etag).toBe(`"${edit.readVersion + 1}"`);
    }
    for (const edit of stale) {
      expect(edit.answer.body).toMatchObject({ type: 'urn:handover:problem:precondition-failed' });
    }
    // No lost update: each applied edit made its own version, and nothing else made one.
    expect(applied.map((edit) => edit.readVersion + 1).sort((a, b) => a - b)).toEqual(
      Array.from({ length: applied.length }, (_, i) => i + 2),
    );
    expect(vendor.version).toBe(1 + applied.length);
    const last = applied.find((edit) => edit.readVersion + 1 === vendor.version);
    expect(vendor.notes).toBe(last?.token);
    // Each applied edit is in the audit, and each one changed the value the previous one left.
    expect(events.map((change) => change.to).sort()).toEqual(
      applied.map((edit) => edit.token).sort(),
    );
    const byVersion = [...applied].sort((a, b) => a.readVersion - b.readVersion);
    const previous = new Map(events.map((change) => [change.to, change.from]));
    byVersion.forEach((edit, i) =>
      expect(previous.get(edit.token)).toBe(i === 0 ? null : byVersion[i - 1].token),
    );

    expect(reports.map((answer) => answer.status).sort()).toEqual([
      ...Array<number>(REPORT_CALLS - 1).fill(200),
      201,
    ]);
    expect(reportRows).toBe(1);

    expect(writes.filter((write) => !succeeded(write))).toEqual([]);
    expect(writes.filter((write) => !stored.has(write.name))).toEqual([]);
  });
});
