import { CsvError, parse } from 'csv-parse/sync';
import { ValidationProblem } from '../common/problem.js';

/** A CSV file's header and data rows. */
export interface CsvRows {
  header: string[];
  rows: string[][];
}

/**
 * Reads an RFC 4180 file with a header row: a BOM and CRLF or LF line ends are accepted, an
 * unclosed quote or a row with another number of cells than the header is a 400 naming the line.
 */
export function parseCsvRows(text: string): CsvRows {
  let records: string[][];
  try {
    records = parse(text, { bom: true, skip_empty_lines: true }) as string[][];
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    throw new ValidationProblem([
      {
        field: 'body',
        code: error.code,
        message: `line ${error.lines}: ${error.message}`,
      },
    ]);
  }
  const [header, ...rows] = records;
  if (!header) {
    throw new ValidationProblem([
      { field: 'body', message: 'the CSV file needs a header row naming its columns' },
    ]);
  }
  return { header: header.map((column) => column.trim()), rows };
}
