import type { Page } from 'playwright-core';

/** Debian's Chromium unless CHROMIUM_PATH names another build. */
export const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

// A closed network: without these flags Chromium keeps dialling Google's services at start.
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface PageWatch {
  /** Console errors and warnings, and uncaught page errors. */
  problems: string[];
  /**
   * Content-Security-Policy violations: every `securitypolicyviolation` event of the page (and
   * its frames), and every console message that mentions the policy, whatever its level.
   */
  violations: string[];
  /** Every URL the page requested, in order. */
  requested: string[];
}

/** Watches a page, before it navigates, for console problems and CSP violations. */
export async function watchPage(page: Page): Promise<PageWatch> {
  const watch: PageWatch = { problems: [], violations: [], requested: [] };
  // A binding and an init script are Chromium's own (DevTools protocol), outside the page's
  // CSP: they see what the policy blocks without being blocked themselves.
  await page.exposeBinding('__handoverCspViolation', (_source, violation: string) => {
    watch.violations.push(`securitypolicyviolation: ${violation}`);
  });
  // In the page, as source: the project type-checks without the DOM library.
  await page.addInitScript({
    content: `document.addEventListener('securitypolicyviolation', (event) => {
      window.__handoverCspViolation(
        event.effectiveDirective + ' blocked ' + (event.blockedURI || '(inline)') +
          ' at ' + event.sourceFile + ':' + event.lineNumber + ' (' + event.disposition + ')',
      );
    });`,
  });
  page.on('console', (message) => {
    const text = message.text();
    if (/content security policy/i.test(text)) {
      watch.violations.push(`console ${message.type()}: ${text}`);
    }
    if (message.type() === 'error' || message.type() === 'warning') {
      watch.problems.push(`console ${message.type()}: ${text}`);
    }
  });
  page.on('pageerror', (error) => watch.problems.push(`page error: ${error.message}`));
  page.on('request', (request) => watch.requested.push(request.url()));
  return watch;
}
