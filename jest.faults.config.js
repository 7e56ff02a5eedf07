// Fault tests (npm run test:faults): each file starts its own PostgreSQL cluster and the built
// server as child processes. Kept out of `npm test`, which must not need PostgreSQL binaries.
import base from './jest.config.js';

// Only how to load TypeScript is shared; setup files of the other projects do not apply here.
const { extensionsToTreatAsEsm, moduleNameMapper, transform, transformIgnorePatterns } =
  base.projects.find((project) => project.displayName === 'unit');

export default {
  displayName: 'faults',
  extensionsToTreatAsEsm,
  moduleNameMapper,
  transform,
  transformIgnorePatterns,
  testEnvironment: 'node',
  testMatch: ['<rootDir>/test/faults/**/*.faults-spec.ts'],
  testTimeout: 90000,
  slowTestThreshold: 60,
};
