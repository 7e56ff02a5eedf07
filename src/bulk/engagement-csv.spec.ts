import type { EngagementResponse } from '../engagements/dto/engagement.response.js';
import {
  bodyOfCsvRow,
  csvField,
  EXPORT_COLUMNS,
  exportRecord,
  headerProblems,
  IMPORT_COLUMNS,
} from './engagement-csv.js';

describe('headerProblems', () => {
  it('accepts the import columns and the export read-only columns', () => {
    expect(headerProblems([...IMPORT_COLUMNS, 'id', 'riskLevel', 'createdAt'])).toEqual([]);
  });

  it('names an unknown column with its position', () => {
    expect(headerProblems(['title', 'colour'])).toEqual([
      expect.objectContaining({ row: 0, field: 'colour', code: 'UNKNOWN_COLUMN' }),
    ]);
  });

  it('names a repeated column', () => {
    expect(headerProblems(['title', 'title'])).toEqual([
      expect.objectContaining({ field: 'title', code: 'REPEATED_COLUMN' }),
    ]);
  });
});

describe('bodyOfCsvRow', () => {
  const header = [
    'title',
    'vendorName',
    'problem',
    'successMetrics',
    'constraints',
    'tradeOffOwnerEmail',
    'knowledgeRecipientEmails',
    'noticePeriodDays',
    'riskLevel',
  ];

  it('puts spec columns into spec and splits the lists', () => {
    const { body, problems } = bodyOfCsvRow(
      header,
      [
        'Invoice extraction',
        'Acme AI',
        'Accounts payable keys invoices by hand.',
        'Accuracy: ≥ 97 %; Latency\\: p95: < 2 s',
        'EU only; Azure tenant',
        'li@example.com',
        'li@example.com;sam@example.com',
        '60',
        'high',
      ],
      1,
    );
    expect(problems).toEqual([]);
    expect(body).toEqual({
      title: 'Invoice extraction',
      vendorName: 'Acme AI',
      spec: {
        problem: 'Accounts payable keys invoices by hand.',
        successMetrics: [
          { name: 'Accuracy', target: '≥ 97 %' },
          { name: 'Latency: p95', target: '< 2 s' },
        ],
        constraints: ['EU only', 'Azure tenant'],
        tradeOffOwnerEmail: 'li@example.com',
      },
      knowledgeRecipientEmails: ['li@example.com', 'sam@example.com'],
      noticePeriodDays: 60,
    });
  });

  it('leaves empty cells out and ignores read-only columns', () => {
    const { body } = bodyOfCsvRow(header, ['T', '', '', '', '', '', '', '', 'high'], 1);
    expect(body).toEqual({ title: 'T' });
  });

  it('keeps a non-numeric notice period as text, for validation to name', () => {
    const { body } = bodyOfCsvRow(['noticePeriodDays'], ['sixty'], 1);
    expect(body).toEqual({ noticePeriodDays: 'sixty' });
  });

  it('reads a formula-like cell as plain text, without the apostrophe the export adds', () => {
    expect(bodyOfCsvRow(['title'], ["'=HYPERLINK(1)"], 1).body).toEqual({
      title: '=HYPERLINK(1)',
    });
    expect(bodyOfCsvRow(['title'], ['=HYPERLINK(1)'], 1).body).toEqual({
      title: '=HYPERLINK(1)',
    });
  });

  it('names a successMetrics cell without name: target pairs', () => {
    expect(bodyOfCsvRow(['successMetrics'], ['just a target'], 4).problems).toEqual([
      expect.objectContaining({ row: 4, field: 'spec.successMetrics', code: 'INVALID_FORMAT' }),
    ]);
  });
});

describe('csvField', () => {
  it('names a spec path by its CSV column', () => {
    expect(csvField('spec.successMetrics[0].name')).toBe('successMetrics[0].name');
    expect(csvField('title')).toBe('title');
  });
});

describe('exportRecord', () => {
  const engagement = {
    id: 'e1',
    title: 'Invoice extraction',
    vendorId: 'v1',
    contractRef: 'PO-1',
    status: 'draft',
    productOwnerId: 'p1',
    spec: {
      problem: 'Accounts payable keys invoices by hand.',
      successMetrics: [{ name: 'Latency: p95', target: '< 2 s; always' }],
      constraints: ['EU only', 'has; semicolon'],
      tradeOffOwnerId: 'p2',
      tradeOffRule: null,
    },
    knowledgeRecipientIds: ['p3', 'p2'],
    startDate: null,
    contractEndDate: '2027-06-30',
    noticePeriodDays: 30,
    criticality: 'important',
    lastSafeHandoverDate: '2027-05-31',
    risk: { level: 'high', score: 45, dependencyTrap: true },
    createdAt: '2026-12-01T10:00:00.000Z',
  } as unknown as EngagementResponse;
  const names = {
    vendorName: 'Acme AI',
    emails: new Map([
      ['p1', 'priya@example.com'],
      ['p2', 'zoe@example.com'],
      ['p3', 'li@example.com'],
    ]),
    finalHandoverDate: '2027-04-30',
  };

  it('has a value for every export column, references by name and e-mail', () => {
    const record = exportRecord(engagement, names);
    expect(Object.keys(record)).toEqual([...EXPORT_COLUMNS]);
    expect(record).toMatchObject({
      vendorName: 'Acme AI',
      productOwnerEmail: 'priya@example.com',
      tradeOffOwnerEmail: 'zoe@example.com',
      knowledgeRecipientEmails: 'li@example.com;zoe@example.com',
      finalHandoverDate: '2027-04-30',
      riskLevel: 'high',
    });
  });

  it('writes lists that the import reads back to the same values', () => {
    const record = exportRecord(engagement, names);
    const { body } = bodyOfCsvRow(
      ['successMetrics', 'constraints'],
      [String(record.successMetrics), String(record.constraints)],
      1,
    );
    expect(body.spec).toEqual({
      successMetrics: engagement.spec.successMetrics,
      constraints: engagement.spec.constraints,
    });
  });
});
