import { mkdirSync } from 'node:fs';
import { type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { createTestApp, type TestApp } from '../test-app.js';
import { CHROMIUM_ARGS, executablePath, watchPage } from './page-watch.js';

const screenshotPath = join('test-results', 'docs.png');

describe('Swagger UI at /docs in Chromium, under the Content-Security-Policy', () => {
  let t: TestApp;
  let browser: Browser;
  let origin: string;

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = t.app.getHttpServer().address() as AddressInfo;
    origin = `http://127.0.0.1:${port}`;
    browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('renders the operations and runs "Try it out" without a CSP violation or console error', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const watch = await watchPage(page);

    const response = await page.goto(`${origin}/docs`, { waitUntil: 'load' });
    expect(response?.status()).toBe(200);
    const policy = response?.headers()['content-security-policy'];
    expect(policy).toContain("default-src 'self'");
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).toMatch(/(^|;)script-src 'self'(;|$)/);

    // Rendered by swagger-ui-init.js: the title, and every tag's operations.
    await expect(page.locator('.info .title').textContent()).resolves.toContain('Handover API');
    await page.locator('.opblock').first().waitFor();
    expect(await page.locator('.opblock').count()).toBeGreaterThan(20);

    // An operation run from the page: Swagger UI's fetch is a same-origin request (connect-src).
    const live = page.locator('.opblock', {
      has: page.locator('[data-path="/health/live"]'),
    });
    await live.locator('.opblock-summary').click();
    await live.getByRole('button', { name: 'Try it out' }).click();
    await live.getByRole('button', { name: 'Execute' }).click();
    await expect(
      live.locator('.live-responses-table tbody .response-col_status').first().textContent(),
    ).resolves.toContain('200');
    await expect(
      live.locator('.live-responses-table tbody .response-col_description').first().textContent(),
    ).resolves.toContain('"status": "ok"');

    mkdirSync('test-results', { recursive: true });
    await page.screenshot({ path: screenshotPath });
    process.stdout.write(`Swagger UI screenshot: ${screenshotPath}\n`);

    expect(watch.violations).toEqual([]);
    expect(watch.problems).toEqual([]);
    // Nothing from elsewhere: fonts, images and scripts are all this origin's (or data:).
    expect(watch.requested.filter((url) => !url.startsWith(`${origin}/`))).toEqual([]);
    await context.close();
  });

  it('cannot be framed by another page (frame-ancestors)', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const watch = await watchPage(page);
    await page.setContent(`<iframe src="${origin}/docs" width="800" height="600"></iframe>`);
    const frame = page.locator('iframe');
    await frame.waitFor();
    // Chromium refuses to render the framed page and says which directive.
    for (let waited = 0; waited < 5000 && watch.violations.length === 0; waited += 100) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(watch.violations.join('\n')).toContain("frame-ancestors 'none'");
    expect(await page.frameLocator('iframe').locator('#swagger-ui').count()).toBe(0);
    await context.close();
  });
});
