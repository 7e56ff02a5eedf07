import { readFileSync } from 'node:fs';
import { IMPORT_COLUMNS, READ_ONLY_COLUMNS } from '../src/bulk/engagement-csv.js';
import { bearer, createTestApp, type TestApp } from './test-app.js';

const csvExample = readFileSync('examples/engagements-import.csv', 'utf8');
const jsonExample = readFileSync('examples/engagements-import.json', 'utf8');
const readme = readFileSync('README.md', 'utf8');

/** The example files the README points to import as documented, into an empty instance. */
describe('import examples', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });

  afterAll(async () => {
    await t.close();
  });

  it('the README documents every import column and every read-only export column', () => {
    for (const column of [...IMPORT_COLUMNS, ...READ_ONLY_COLUMNS]) {
      expect(readme).toContain(`\`${column}\``);
    }
    expect(readme).toContain('examples/engagements-import.csv');
    expect(readme).toContain('examples/engagements-import.json');
  });

  it('the CSV example imports into an empty instance, creating its vendors and people', async () => {
    const response = await t
      .http()
      .post('/v1/imports/engagements?createMissing=true')
      .set(bearer(t.adminKey))
      .set('Content-Type', 'text/csv')
      .send(csvExample)
      .expect(201);
    expect(response.body.created).toBe(2);
    expect(response.body.createdVendors.map((vendor: { name: string }) => vendor.name)).toEqual([
      'Acme AI',
      'Northwind Labs',
    ]);
    const second = await t
      .http()
      .get(`/v1/engagements/${response.body.engagementIds[1]}`)
      .set(bearer(t.adminKey))
      .expect(200);
    expect(second.body.spec.successMetrics).toEqual([
      { name: 'Routing accuracy', target: '≥ 90 %' },
      { name: 'Time to route: p95', target: '< 5 minutes' },
    ]);
  });

  it('the JSON example imports with its milestones and artifacts, naming the vendor it now finds', async () => {
    const response = await t
      .http()
      .post('/v1/imports/engagements?createMissing=true')
      .set(bearer(t.adminKey))
      .set('Content-Type', 'application/json')
      .send(jsonExample)
      .expect(201);
    expect(response.body.createdVendors).toEqual([]);
    const [id] = response.body.engagementIds;
    const milestones = await t
      .http()
      .get(`/v1/engagements/${id}/milestones`)
      .set(bearer(t.adminKey))
      .expect(200);
    expect(milestones.body.items.map((milestone: { kind: string }) => milestone.kind)).toEqual([
      'delivery',
      'handover',
      'final_handover',
    ]);
    const artifacts = await t
      .http()
      .get(`/v1/engagements/${id}/artifacts`)
      .set(bearer(t.adminKey))
      .expect(200);
    expect(artifacts.body.items).toHaveLength(4);
  });
});
