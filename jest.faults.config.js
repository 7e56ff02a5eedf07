// Fault tests (npm run test:faults): each file starts its own PostgreSQL cluster and the built
// server as child processes. Kept out of `npm test`, which must not need PostgreSQL binaries.
import base from './jest.config.js';

const unit = base.projects.find((project) => project.displayName === 'unit');

export default {
  ...unit,
  displayName: 'faults',
  testMatch: ['<rootDir>/test/faults/**/*.faults-spec.ts'],
  testTimeout: 90000,
  slowTestThreshold: 60,
};
