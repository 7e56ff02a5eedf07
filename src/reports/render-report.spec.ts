import type { WeeklyReportResponse } from './dto/weekly-report.dto.js';
import { chooseFormat, csvField, toCsv, toHtml, toMarkdown } from './render-report.js';

function report(title: string, vendorName = 'Acme'): WeeklyReportResponse {
  return {
    id: 'r1',
    week: '2026-W47',
    generatedAt: '2026-11-16T06:00:00.000Z',
    asOf: '2026-11-16',
    totals: {
      engagements: 1,
      byLevel: { none: 0, low: 0, medium: 0, high: 1, critical: 0 },
      dependencyTrap: 1,
    },
    engagements: [
      {
        engagementId: 'e1',
        title,
        vendor: { id: 'v1', name: vendorName },
        productOwner: { id: 'p1', name: 'Priya' },
        status: 'active',
        level: 'high',
        score: 30,
        dependencyTrap: true,
        signals: [
          {
            code: 'NO_KT_ARTIFACTS',
            severity: 'high',
            message: 'No knowledge-transfer artifacts are agreed.',
            data: {},
          },
        ],
        previousLevel: 'medium',
        change: 'raised',
      },
    ],
    vendors: [
      {
        vendorId: 'v1',
        name: vendorName,
        engagements: 1,
        flagged: 1,
        maxLevel: 'high',
        slipDays: 12,
      },
    ],
  };
}

describe('csvField', () => {
  it.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['=SUM(A1:A9)', "'=SUM(A1:A9)"],
    ['+1 555', "'+1 555"],
    ['-2+3', "'-2+3"],
    ['@cmd', "'@cmd"],
    ['\tTab', "'\tTab"],
    ['=HYPERLINK("http://x","y")', `"'=HYPERLINK(""http://x"",""y"")"`],
    [null, ''],
    [42, '42'],
  ])('writes %p as %p', (value, expected) => {
    expect(csvField(value)).toBe(expected);
  });
});

describe('report formats', () => {
  it('writes a CSV header and one row per engagement with CRLF line ends', () => {
    const csv = toCsv(report('Invoice extraction, phase 2'));
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe(
      'week,engagementId,title,vendor,productOwner,status,level,score,dependencyTrap,previousLevel,change,signals',
    );
    expect(lines[1]).toBe(
      '2026-W47,e1,"Invoice extraction, phase 2",Acme,Priya,active,high,30,true,medium,raised,NO_KT_ARTIFACTS',
    );
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe('');
  });

  it('neutralises formulas in names in the CSV', () => {
    const csv = toCsv(report('=cmd|calc', '@evil'));
    expect(csv).toContain(",'=cmd|calc,'@evil,");
  });

  it('writes Markdown tables with escaped pipes and the flagged signals in words', () => {
    const markdown = toMarkdown(report('A | B'));
    expect(markdown).toContain('# Handover risk report 2026-W47');
    expect(markdown).toContain('| A \\| B | Acme | raised | medium | high |');
    expect(markdown).toContain('- **high**: No knowledge-transfer artifacts are agreed.');
  });

  it('writes a self-contained HTML page with both charts and escaped text', () => {
    const html = toHtml(report('<script>alert(1)</script>'));
    expect(html).toContain('<svg id="chart-levels"');
    expect(html).toContain('<svg id="chart-slips"');
    expect(html).not.toContain('<script>');
    expect(html).toContain('&#60;script&#62;');
    expect(html).not.toMatch(/(src|href)="https?:/);
  });

  it.each([
    ['csv', 'application/json', 'csv'],
    [undefined, 'text/csv', 'csv'],
    [undefined, 'text/markdown', 'md'],
    [undefined, 'text/html,application/xhtml+xml,*/*;q=0.8', 'html'],
    [undefined, undefined, 'json'],
    [undefined, '*/*', 'json'],
  ] as const)('chooses format %p with Accept %p: %p', (format, accept, expected) => {
    expect(chooseFormat(format, accept)).toBe(expected);
  });
});
