// Browser checks: headless Chromium (Debian's `chromium` package) through playwright-core.
// Kept out of `npm test` so that a machine without Chromium can run the main suite.
import base from './jest.config.js';

const e2e = base.projects.find((project) => project.displayName === 'e2e');

export default {
  ...e2e,
  displayName: 'browser',
  testMatch: ['<rootDir>/test/browser/**/*.browser-spec.ts'],
  testTimeout: base.testTimeout,
};
