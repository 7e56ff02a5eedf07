import { defineConfig } from '@hey-api/openapi-ts';

// The client integrators would generate from openapi.json; test/client-lifecycle.e2e-spec.ts
// drives a whole engagement lifecycle with it.
export default defineConfig({
  input: 'openapi.json',
  output: { path: 'test/client/generated', postProcess: ['prettier'] },
  plugins: ['@hey-api/typescript', '@hey-api/sdk', '@hey-api/client-fetch'],
});
