import { mkdirSync } from 'node:fs';
import { type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { seedDemoPortfolio } from '../../scripts/demo-portfolio.js';
import { todayUtc } from '../../src/common/dates.js';
import { act, activeEngagement, uniqueSuffix } from '../factories.js';
import { bearer, createTestApp, type TestApp } from '../test-app.js';
import { CHROMIUM_ARGS, executablePath, watchPage } from './page-watch.js';

const screenshotPath = join('test-results', 'weekly-report.png');
const firstScreenPath = join('test-results', 'weekly-report-first-screen.png');

describe('the weekly report page in Chromium', () => {
  let t: TestApp;
  let browser: Browser;
  let pageUrl: string;
  let reported: { title: string; independentOperators: number }[];
  /** An engagement whose two recipients passed a drill without vendor help today. */
  const capableTitle = `Capable ${uniqueSuffix()}`;

  beforeAll(async () => {
    t = await createTestApp();
    await seedDemoPortfolio(t.dataSource, 60);
    const { engagement } = await activeEngagement(t, { fields: { title: capableTitle } });
    const drill = await t
      .http()
      .post(`/v1/engagements/${engagement.id}/drills`)
      .set(bearer(t.adminKey))
      .send({
        kind: 'restore',
        title: 'Restore the database',
        scenario: 'The primary database is lost; restore it from the nightly backup.',
        participantIds: engagement.knowledgeRecipientIds,
      });
    expect(drill.status).toBe(201);
    await act(t, `/v1/engagements/${engagement.id}/drills/${drill.body.id}/record`, {
      outcome: 'passed',
      vendorAssistance: 'none',
      performedOn: todayUtc(),
      evidenceUrl: 'https://wiki.example.com/drills/restore',
      observedById: engagement.productOwnerId,
    });
    const report = await t.http().post('/v1/reports/weekly').set(bearer(t.adminKey)).send({});
    expect(report.status).toBe(201);
    reported = report.body.engagements;
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = t.app.getHttpServer().address() as AddressInfo;
    pageUrl = `http://127.0.0.1:${port}/v1/reports/weekly/${report.body.week}?format=html`;
    browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('renders both charts with a non-zero size, without CSP violations, console errors or outside requests', async () => {
    const context = await browser.newContext({
      extraHTTPHeaders: bearer(t.adminKey),
      viewport: { width: 1280, height: 900 },
    });
    const page = await context.newPage();
    const { problems, violations, requested } = await watchPage(page);

    const response = await page.goto(pageUrl, { waitUntil: 'load' });
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-type']).toBe('text/html; charset=utf-8');
    // Served from the API's own origin, under the API's Content-Security-Policy.
    const policy = response?.headers()['content-security-policy'];
    expect(policy).toContain("default-src 'self'");
    expect(policy).toContain("frame-ancestors 'none'");
    expect(response?.headers()['x-content-type-options']).toBe('nosniff');

    for (const chart of ['#chart-levels', '#chart-slips']) {
      const box = await page.locator(chart).boundingBox();
      expect(box).not.toBeNull();
      expect(box!.width).toBeGreaterThan(0);
      expect(box!.height).toBeGreaterThan(0);
      const bars = await page
        .locator(`${chart} rect`)
        .evaluateAll(
          (rects) => rects.filter((rect) => rect.getBoundingClientRect().width > 0).length,
        );
      expect(bars).toBeGreaterThan(0);
    }
    await expect(page.locator('h1').textContent()).resolves.toContain('Handover risk report');

    mkdirSync('test-results', { recursive: true });
    await page.screenshot({ path: screenshotPath, fullPage: true });
    await page.screenshot({ path: firstScreenPath });
    process.stdout.write(`Weekly report page screenshots: ${screenshotPath}, ${firstScreenPath}\n`);

    // The inline stylesheet, the level badges' style attributes and the data: icon are allowed.
    expect(violations).toEqual([]);
    expect(problems).toEqual([]);
    // Self-contained: the page itself is the only request.
    expect(requested).toEqual([pageUrl]);
    await context.close();
  });

  it("shows each listed engagement's independent operator count in a column of its own", async () => {
    const context = await browser.newContext({
      extraHTTPHeaders: bearer(t.adminKey),
      viewport: { width: 1280, height: 900 },
    });
    const page = await context.newPage();
    expect((await page.goto(pageUrl, { waitUntil: 'load' }))?.status()).toBe(200);

    const headers = await page.locator('#changes thead th').allTextContents();
    expect(headers).toEqual([
      'Engagement',
      'Vendor',
      'Change',
      'From',
      'To',
      'Independent operators',
    ]);
    const header = page.locator('#changes thead th', { hasText: 'Independent operators' });
    const box = await header.boundingBox();
    expect(box).not.toBeNull();
    expect(box!.width).toBeGreaterThan(0);

    // The first report lists every open engagement as new: one row each, in the report's order,
    // with the count the JSON gives.
    const rows = await page
      .locator('#changes tbody tr')
      .evaluateAll((trs) =>
        trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')),
      );
    expect(rows.length).toBeGreaterThan(1);
    for (const cells of rows) {
      expect(cells).toHaveLength(headers.length);
      expect(cells.at(-1)).toMatch(/^\d+$/);
    }
    expect(rows.map((cells) => cells.at(-1))).toEqual(
      reported.map((entry) => String(entry.independentOperators)),
    );
    expect(rows.find((cells) => cells[0] === capableTitle)?.at(-1)).toBe('2');

    // The new column fits the page: nothing scrolls sideways.
    const overflow = await page
      .locator('html')
      .evaluate((html) => html.scrollWidth - html.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await context.close();
  });
});
