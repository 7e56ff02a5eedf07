import { lastSafeHandoverDate, lastSafeHandoverDateSql } from '../src/engagements/exit-clock.js';
import { createTestApp, type TestApp } from './test-app.js';

describe('the exit clock', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const cases: [contractEndDate: string | null, noticePeriodDays: number][] = [
    ['2027-06-30', 60],
    ['2027-06-30', 0],
    ['2028-03-01', 1],
    ['2028-02-29', 366],
    ['2027-01-01', 3650],
    ['2100-03-01', 1],
    [null, 90],
  ];

  it.each(cases)(
    'gives the same last safe handover date in SQL as in TypeScript for %p minus %p days',
    async (contractEndDate, noticePeriodDays) => {
      const [row] = await t.dataSource.query(
        `SELECT ${lastSafeHandoverDateSql('e')}::text AS date
           FROM (SELECT $1::date AS contract_end_date, $2::int AS notice_period_days) e`,
        [contractEndDate, noticePeriodDays],
      );
      expect(row.date).toBe(lastSafeHandoverDate(contractEndDate, noticePeriodDays));
    },
  );
});
