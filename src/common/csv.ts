/** Starts a cell a spreadsheet would run as a formula; apostrophes before it are ours (see below). */
const FORMULA_START = /^'*[=+\-@\t\r]/;

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, quote or line break. A value a
 * spreadsheet would run as a formula (starting with = + - @, tab or carriage return) is
 * prefixed with an apostrophe, so opening the file never executes it; so is a value that
 * already starts with apostrophes before such a character, which keeps `unneutralized` exact.
 */
export function csvField(value: unknown): string {
  let text = value === null || value === undefined ? '' : String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A cell as it was before `csvField` neutralised it: its added apostrophe removed. */
export function unneutralized(cell: string): string {
  return cell.startsWith("'") && FORMULA_START.test(cell) ? cell.slice(1) : cell;
}

/** `text` with a backslash before each of `chars` and before each backslash. */
export function escapeChars(text: string, chars: string): string {
  return text.replace(/[\s\S]/g, (char) =>
    char === '\\' || chars.includes(char) ? `\\${char}` : char,
  );
}

/** `items` joined by `separator`; a separator or backslash inside an item is escaped with `\`. */
export function joinList(items: string[], separator: string): string {
  return items.map((item) => escapeChars(item, separator)).join(separator);
}

/** The items of a `joinList` text, trimmed; empty items are dropped. */
export function splitList(text: string, separator: string): string[] {
  const items: string[] = [];
  let current = '';
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (char === '\\' && index + 1 < text.length) current += text[++index];
    else if (char === separator) {
      items.push(current);
      current = '';
    } else current += char;
  }
  items.push(current);
  return items.map((item) => item.trim()).filter((item) => item !== '');
}

/**
 * `name: target` pairs separated by `;`, split at the first `:` of each (a `:` or `;` inside
 * is escaped with `\`); undefined when a pair has no `:`.
 */
export function splitPairs(text: string): { name: string; target: string }[] | undefined {
  const pairs: { name: string; target: string | undefined }[] = [];
  let name = '';
  let target: string | undefined;
  const finish = () => {
    if (name.trim() !== '' || target !== undefined) {
      pairs.push({ name: name.trim(), target: target?.trim() });
    }
    name = '';
    target = undefined;
  };
  for (let index = 0; index < text.length; index++) {
    const escaped = text[index] === '\\' && index + 1 < text.length;
    const char = escaped ? text[++index] : text[index];
    if (!escaped && char === ';') finish();
    else if (!escaped && char === ':' && target === undefined) target = '';
    else if (target === undefined) name += char;
    else target += char;
  }
  finish();
  return pairs.every((pair) => pair.target !== undefined)
    ? (pairs as { name: string; target: string }[])
    : undefined;
}

/** The text `splitPairs` reads back as these pairs. */
export function joinPairs(pairs: { name: string; target: string }[]): string {
  return pairs
    .map((pair) => `${escapeChars(pair.name, ':;')}: ${escapeChars(pair.target, ':;')}`)
    .join(';');
}
