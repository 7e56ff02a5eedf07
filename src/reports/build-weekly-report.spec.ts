import { type RiskAssessment, type RiskLevel } from '../risk/assess-risk.js';
import {
  buildWeeklyReport,
  type ReportAcknowledgement,
  type ReportInput,
  type WeeklyReportContent,
} from './build-weekly-report.js';

const assessment = (level: RiskLevel, score = 0): RiskAssessment => ({
  level,
  score,
  dependencyTrap: level === 'high' || level === 'critical',
  signals: [],
});

const escalation = (raisedAt: string): NonNullable<ReportInput['escalation']> => ({
  level: 'high',
  since: '2026-11-02',
  raisedAt,
  acknowledgedAt: null,
});

function acknowledgement(id: string, acknowledgedAt: string): ReportAcknowledgement {
  return {
    id,
    engagementId: 'a',
    title: 'Engagement a',
    level: 'high',
    note: 'Vendor adds two walkthroughs',
    until: '2026-11-24',
    acknowledgedAt,
    acknowledgedBy: 'Priya',
  };
}

function input(id: string, level: RiskLevel, overrides: Partial<ReportInput> = {}): ReportInput {
  return {
    engagementId: id,
    title: `Engagement ${id}`,
    vendor: { id: 'v1', name: 'Acme' },
    productOwner: { id: 'p1', name: 'Priya' },
    status: 'active',
    assessment: assessment(level, { none: 0, low: 5, medium: 15, high: 30, critical: 50 }[level]),
    finalHandover: null,
    escalation: null,
    independentOperators: 0,
    ...overrides,
  };
}

describe('buildWeeklyReport', () => {
  it('marks every engagement new when there is no previous report', () => {
    const report = buildWeeklyReport([input('a', 'low')], [], null, []);
    expect(report.engagements[0]).toMatchObject({ change: 'new', previousLevel: null });
  });

  it('compares each level with the previous report: raised, lowered, unchanged, new', () => {
    const previous = buildWeeklyReport(
      [input('up', 'low'), input('down', 'critical'), input('same', 'medium')],
      [],
      null,
      [],
    );
    const report = buildWeeklyReport(
      [
        input('up', 'high'),
        input('down', 'medium'),
        input('same', 'medium'),
        input('fresh', 'none'),
      ],
      [],
      previous,
      [],
    );
    const changes = Object.fromEntries(
      report.engagements.map((entry) => [entry.engagementId, entry.change]),
    );
    expect(changes).toEqual({ up: 'raised', down: 'lowered', same: 'unchanged', fresh: 'new' });
    expect(report.engagements.find((entry) => entry.engagementId === 'up')?.previousLevel).toBe(
      'low',
    );
  });

  it("carries each engagement's independent operator count, closed ones included", () => {
    const previous = buildWeeklyReport([input('gone', 'high')], [], null, []);
    const report = buildWeeklyReport(
      [input('proven', 'none', { independentOperators: 2 }), input('unproven', 'high')],
      [input('gone', 'none', { status: 'completed', independentOperators: 1 })],
      previous,
      [],
    );
    expect(
      Object.fromEntries(
        report.engagements.map((entry) => [entry.engagementId, entry.independentOperators]),
      ),
    ).toEqual({ proven: 2, unproven: 0, gone: 1 });
  });

  it('lists an engagement closed since the previous report as closed, outside the totals', () => {
    const previous = buildWeeklyReport([input('gone', 'high')], [], null, []);
    const report = buildWeeklyReport(
      [],
      [
        input('gone', 'none', { status: 'completed' }),
        input('never-listed', 'none', { status: 'cancelled' }),
      ],
      previous,
      [],
    );
    expect(report.engagements).toEqual([
      expect.objectContaining({ engagementId: 'gone', change: 'closed', previousLevel: 'high' }),
    ]);
    expect(report.totals.engagements).toBe(0);
  });

  it('does not carry a closed entry into the week after', () => {
    const first = buildWeeklyReport([input('gone', 'high')], [], null, []);
    const second = buildWeeklyReport(
      [],
      [input('gone', 'none', { status: 'completed' })],
      first,
      [],
    );
    const third: WeeklyReportContent = buildWeeklyReport(
      [],
      [input('gone', 'none', { status: 'completed' })],
      second,
      [],
    );
    expect(third.engagements).toEqual([]);
  });

  it("totals by level and summarises vendors with their open engagements' net slip", () => {
    const report = buildWeeklyReport(
      [
        input('a', 'critical', {
          finalHandover: { dueDate: '2027-02-10', baselineDueDate: '2027-01-31' },
        }),
        input('b', 'low', {
          finalHandover: { dueDate: '2027-01-01', baselineDueDate: '2027-01-15' },
        }),
        input('c', 'none', { vendor: { id: 'v2', name: 'Blue Heron' } }),
      ],
      [],
      null,
      [],
    );
    expect(report.totals).toEqual({
      engagements: 3,
      byLevel: { none: 1, low: 1, medium: 0, high: 0, critical: 1 },
      dependencyTrap: 1,
    });
    expect(report.vendors).toEqual([
      {
        vendorId: 'v1',
        name: 'Acme',
        engagements: 2,
        flagged: 1,
        maxLevel: 'critical',
        slipDays: 10,
      },
      {
        vendorId: 'v2',
        name: 'Blue Heron',
        engagements: 1,
        flagged: 0,
        maxLevel: 'none',
        slipDays: 0,
      },
    ]);
    expect(report.engagements.map((entry) => entry.engagementId)).toEqual(['a', 'b', 'c']);
  });

  it("lists the open engagements' open escalations, the oldest first, with their vendor", () => {
    const report = buildWeeklyReport(
      [
        input('late', 'high', { escalation: escalation('2026-11-10T00:05:00.000Z') }),
        input('calm', 'low'),
        input('early', 'critical', {
          vendor: { id: 'v2', name: 'Blue Heron' },
          escalation: { ...escalation('2026-11-09T00:05:00.000Z'), level: 'critical' },
        }),
      ],
      [
        input('gone', 'none', {
          status: 'completed',
          escalation: escalation('2026-11-01T00:05:00.000Z'),
        }),
      ],
      null,
      [],
    );
    expect(report.escalations).toEqual([
      {
        engagementId: 'early',
        title: 'Engagement early',
        vendorName: 'Blue Heron',
        level: 'critical',
        since: '2026-11-02',
        raisedAt: '2026-11-09T00:05:00.000Z',
        acknowledgedAt: null,
      },
      expect.objectContaining({ engagementId: 'late', vendorName: 'Acme' }),
    ]);
  });

  it('lists the acknowledgements the previous report did not, the oldest first', () => {
    const previous = buildWeeklyReport([input('a', 'high')], [], null, [
      acknowledgement('listed', '2026-11-09T05:59:00.000Z'),
    ]);
    const report = buildWeeklyReport([input('a', 'high')], [], previous, [
      acknowledgement('later', '2026-11-12T10:00:00.000Z'),
      acknowledgement('listed', '2026-11-09T05:59:00.000Z'),
      // Older than the previous report but committed after it read: not listed there.
      acknowledgement('late-commit', '2026-11-09T05:58:00.000Z'),
    ]);
    expect(report.acknowledgements.map((entry) => entry.id)).toEqual(['late-commit', 'later']);
    expect(report.acknowledgements[1]).toEqual(
      acknowledgement('later', '2026-11-12T10:00:00.000Z'),
    );
  });

  it('compares with a previous report stored before escalation and drills existed, which listed none', () => {
    const { totals, engagements, vendors } = buildWeeklyReport([input('a', 'high')], [], null, []);
    const report = buildWeeklyReport(
      [input('a', 'high', { escalation: escalation('2026-11-10T00:05:00.000Z') })],
      [],
      {
        totals,
        engagements: engagements.map(({ independentOperators: _dropped, ...entry }) => entry),
        vendors,
      },
      [acknowledgement('first', '2026-11-12T10:00:00.000Z')],
    );
    expect(report.engagements[0]).toMatchObject({ change: 'unchanged', previousLevel: 'high' });
    expect(report.escalations).toHaveLength(1);
    expect(report.acknowledgements.map((entry) => entry.id)).toEqual(['first']);
  });
});
