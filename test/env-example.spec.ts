import { readFileSync } from 'node:fs';

const read = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');

/** The variables `loadConfig` reads, by the names it passes to its readers. */
function configVariables(): string[] {
  const source = read('src/config/config.ts');
  const readers = /\b(?:read|integer|boolean|fraction|secondsList)\(\s*'([A-Z][A-Z0-9_]+)'/g;
  const names = [...source.matchAll(readers)].map((match) => match[1]);
  return [...new Set(names)].sort();
}

const documented = (text: string, pattern: RegExp) =>
  [...new Set([...text.matchAll(pattern)].map((match) => match[1]))].sort();

describe('.env.example', () => {
  it('lists every variable the configuration reads, and no other', () => {
    const listed = documented(read('.env.example'), /^# ([A-Z][A-Z0-9_]+)=/gm);
    expect(listed).toEqual(configVariables());
  });

  it('lists the same variables as the README configuration table', () => {
    const readme = read('README.md');
    const section = readme.slice(
      readme.indexOf('\n## Configuration'),
      readme.indexOf('\n## Limits'),
    );
    const table = documented(section, /^\| `([A-Z][A-Z0-9_]+)`/gm);
    expect(documented(read('.env.example'), /^# ([A-Z][A-Z0-9_]+)=/gm)).toEqual(table);
  });

  it('is loaded by npm start when present', () => {
    const scripts = JSON.parse(read('package.json')).scripts as Record<string, string>;
    expect(scripts.start).toContain('--env-file-if-exists=.env');
  });
});
