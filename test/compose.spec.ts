import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

interface ComposeService {
  build?: unknown;
  image?: string;
  pull_policy?: string;
}

const compose = parse(readFileSync(new URL('../docker-compose.yml', import.meta.url), 'utf8')) as {
  services: Record<string, ComposeService>;
};
const ours = Object.entries(compose.services).filter(([name]) => name !== 'db');

describe('docker-compose.yml', () => {
  it('builds the Handover image once and runs api and scheduler from that one image', () => {
    const builders = ours.filter(([, service]) => service.build !== undefined);
    expect(builders.map(([name]) => name)).toEqual(['api']);
    const images = new Set(ours.map(([, service]) => service.image));
    expect([...images]).toEqual(['handover:latest']);
  });

  it('never pulls the locally built image from a registry', () => {
    for (const [, service] of ours.filter(([, s]) => s.build === undefined)) {
      expect(service.pull_policy).toBe('never');
    }
  });
});
