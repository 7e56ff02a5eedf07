import { WeeklyReportResponse } from './dto/weekly-report.dto.js';
import { chooseFormat, toCsv, toHtml, toMarkdown } from './render-report.js';
import type { WeeklyReport } from './weekly-report.entity.js';

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
        independentOperators: 1,
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
    escalations: [],
    acknowledgements: [],
  };
}

/** The report with e1 escalated and acknowledged twice since the previous report. */
function escalated(note: string, title = 'Invoice extraction'): WeeklyReportResponse {
  const acknowledgement = {
    engagementId: 'e1',
    title,
    level: 'high',
    until: '2026-11-24',
    acknowledgedBy: 'Priya',
  };
  return {
    ...report(title),
    escalations: [
      {
        engagementId: 'e1',
        title,
        vendorName: 'Acme',
        level: 'high',
        since: '2026-11-02',
        raisedAt: '2026-11-09T00:05:00.000Z',
        acknowledgedAt: '2026-11-10T14:30:00.000Z',
      },
    ],
    acknowledgements: [
      { ...acknowledgement, id: 'k1', note, acknowledgedAt: '2026-11-10T14:30:00.000Z' },
      {
        ...acknowledgement,
        id: 'k2',
        note: 'Walkthroughs moved to Friday',
        acknowledgedAt: '2026-11-12T09:00:00.000Z',
      },
    ],
  };
}

describe('report formats', () => {
  it('writes a CSV header and one row per engagement with CRLF line ends', () => {
    const csv = toCsv(report('Invoice extraction, phase 2'));
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe(
      'week,engagementId,title,vendor,productOwner,status,level,score,dependencyTrap,previousLevel,change,signals,' +
        'escalationLevel,escalatedSince,escalationRaisedAt,escalationAcknowledgedAt,acknowledgements,' +
        'independentOperators',
    );
    expect(lines[1]).toBe(
      '2026-W47,e1,"Invoice extraction, phase 2",Acme,Priya,active,high,30,true,medium,raised,NO_KT_ARTIFACTS,,,,,,1',
    );
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe('');
  });

  it('neutralises formulas in names in the CSV', () => {
    const csv = toCsv(report('=cmd|calc', '@evil'));
    expect(csv).toContain(",'=cmd|calc,'@evil,");
  });

  it("puts an engagement's open escalation and its acknowledgements, one per line, in its row", () => {
    const csv = toCsv(escalated('Vendor adds two walkthroughs, "recorded"'));
    expect(csv.split('\r\n')[1]).toBe(
      '2026-W47,e1,Invoice extraction,Acme,Priya,active,high,30,true,medium,raised,NO_KT_ARTIFACTS,' +
        'high,2026-11-02,2026-11-09T00:05:00.000Z,2026-11-10T14:30:00.000Z,' +
        '"2026-11-10T14:30:00.000Z Priya (high, until 2026-11-24): Vendor adds two walkthroughs, ""recorded""\n' +
        '2026-11-12T09:00:00.000Z Priya (high, until 2026-11-24): Walkthroughs moved to Friday",1',
    );
  });

  it('never starts a CSV cell with a note: a formula in it stays text', () => {
    const csv = toCsv(escalated('=HYPERLINK("http://evil","fix")'));
    expect(csv).toContain(
      '"2026-11-10T14:30:00.000Z Priya (high, until 2026-11-24): =HYPERLINK(""http://evil"",""fix"")\n',
    );
    expect(csv).not.toMatch(/(^|,|\r\n)"?=/);
  });

  it('writes Markdown tables with escaped pipes and the flagged signals in words', () => {
    const markdown = toMarkdown(report('A | B'));
    expect(markdown).toContain('# Handover risk report 2026-W47');
    expect(markdown).toContain(
      '| engagement | vendor | change | from | to | independent operators |',
    );
    expect(markdown).toContain('| A \\| B | Acme | raised | medium | high | 1 |');
    expect(markdown).toContain('Vendor Acme; product owner Priya; independent operators 1.');
    expect(markdown).toContain('- **high**: No knowledge-transfer artifacts are agreed.');
  });

  it("gives each engagement's independent operator count in every format", () => {
    const base = report('Invoice extraction');
    const counted: WeeklyReportResponse = {
      ...base,
      engagements: [
        { ...base.engagements[0], independentOperators: 3 },
        {
          ...base.engagements[0],
          engagementId: 'e2',
          title: 'Unproven',
          dependencyTrap: false,
          level: 'low',
          score: 5,
          signals: [],
          independentOperators: 0,
        },
      ],
    };
    const [header, first, second] = toCsv(counted).split('\r\n');
    const column = header.split(',').indexOf('independentOperators');
    expect(column).toBe(header.split(',').length - 1);
    expect(first.split(',')[column]).toBe('3');
    expect(second.split(',')[column]).toBe('0');

    const markdown = toMarkdown(counted);
    expect(markdown).toContain('| Invoice extraction | Acme | raised | medium | high | 3 |');
    expect(markdown).toContain('| Unproven | Acme | raised | medium | low | 0 |');
    expect(markdown).toContain('independent operators 3.');

    const html = toHtml(counted);
    expect(html).toContain('<th>To</th><th class="count">Independent operators</th></tr></thead>');
    expect(html).toMatch(/<tr><td>Invoice extraction<\/td>.*?<td class="count">3<\/td><\/tr>/);
    expect(html).toMatch(/<tr><td>Unproven<\/td>.*?<td class="count">0<\/td><\/tr>/);
    expect(html).toContain('score 30 · independent operators 3</div>');
  });

  it('writes the open escalations and acknowledgements as Markdown tables, escaped', () => {
    const markdown = toMarkdown(escalated('Plan B | C\nsee the runbook', 'A | B'));
    expect(markdown).toContain('## Open escalations');
    expect(markdown).toContain(
      '| A \\| B | Acme | high | 2026-11-02 | 2026-11-09T00:05:00.000Z | 2026-11-10T14:30:00.000Z |',
    );
    expect(markdown).toContain('## Risk acknowledgements since the previous report');
    expect(markdown).toContain(
      '| A \\| B | high | Priya | 2026-11-10T14:30:00.000Z | 2026-11-24 | Plan B \\| C see the runbook |',
    );
    const quiet = toMarkdown(report('Quiet'));
    expect(quiet).toMatch(/## Open escalations\n\nNone\./);
    expect(quiet).toMatch(/## Risk acknowledgements since the previous report\n\nNone\./);
  });

  it('writes the open escalations and acknowledgements as HTML tables, escaped', () => {
    const html = toHtml(escalated('<img src=x onerror=alert(1)>', '<b>Extraction</b>'));
    expect(html).toContain('<table id="escalations">');
    expect(html).toContain('<table id="acknowledgements">');
    expect(html).toContain('&#60;img src=x onerror=alert(1)&#62;');
    expect(html).toContain('&#60;b&#62;Extraction&#60;/b&#62;');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>');
    expect(html).toContain('1 open escalations');
    const quiet = toHtml(report('Quiet'));
    expect(quiet).toContain('<p>No open escalations.</p>');
    expect(quiet).toContain('<p>No acknowledgements.</p>');
  });

  it('renders a report stored before escalation existed as one with none of either', () => {
    const { totals, engagements, vendors } = report('Stored in 2026');
    const row: WeeklyReport = {
      id: 'r1',
      week: '2026-W47',
      generatedAt: new Date('2026-11-16T06:00:00.000Z'),
      asOf: '2026-11-16',
      generatedByApiKeyId: null,
      // The response's strings stand for the stored enums.
      content: { totals, engagements, vendors } as WeeklyReport['content'],
    };
    const stored = WeeklyReportResponse.from(row);
    expect(stored).toEqual(report('Stored in 2026'));
    expect(toCsv(stored).split('\r\n')[1]).toMatch(/,NO_KT_ARTIFACTS,,,,,,1$/);
    expect(toMarkdown(stored)).toMatch(/## Open escalations\n\nNone\./);
    expect(toHtml(stored)).toContain('<p>No acknowledgements.</p>');
  });

  it('renders a report stored before drills existed with an unknown operator count, not zero', () => {
    const { totals, vendors } = report('Stored in 2026');
    const engagements = report('Stored in 2026').engagements.map(
      ({ independentOperators: _dropped, ...entry }) => entry,
    );
    const row: WeeklyReport = {
      id: 'r1',
      week: '2026-W47',
      generatedAt: new Date('2026-11-16T06:00:00.000Z'),
      asOf: '2026-11-16',
      generatedByApiKeyId: null,
      content: { totals, engagements, vendors } as WeeklyReport['content'],
    };
    const stored = WeeklyReportResponse.from(row);
    expect(stored.engagements[0].independentOperators).toBeNull();
    expect(toCsv(stored).split('\r\n')[1]).toMatch(/,NO_KT_ARTIFACTS,,,,,,$/);
    expect(toMarkdown(stored)).toContain('| Stored in 2026 | Acme | raised | medium | high | — |');
    expect(toHtml(stored)).toContain('<td class="count">—</td>');
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
