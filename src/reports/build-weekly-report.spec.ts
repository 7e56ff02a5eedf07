import { type RiskAssessment, type RiskLevel } from '../risk/assess-risk.js';
import {
  buildWeeklyReport,
  type ReportInput,
  type WeeklyReportContent,
} from './build-weekly-report.js';

const assessment = (level: RiskLevel, score = 0): RiskAssessment => ({
  level,
  score,
  dependencyTrap: level === 'high' || level === 'critical',
  signals: [],
});

function input(id: string, level: RiskLevel, overrides: Partial<ReportInput> = {}): ReportInput {
  return {
    engagementId: id,
    title: `Engagement ${id}`,
    vendor: { id: 'v1', name: 'Acme' },
    productOwner: { id: 'p1', name: 'Priya' },
    status: 'active',
    assessment: assessment(level, { none: 0, low: 5, medium: 15, high: 30, critical: 50 }[level]),
    finalHandover: null,
    ...overrides,
  };
}

describe('buildWeeklyReport', () => {
  it('marks every engagement new when there is no previous report', () => {
    const report = buildWeeklyReport([input('a', 'low')], [], null);
    expect(report.engagements[0]).toMatchObject({ change: 'new', previousLevel: null });
  });

  it('compares each level with the previous report: raised, lowered, unchanged, new', () => {
    const previous = buildWeeklyReport(
      [input('up', 'low'), input('down', 'critical'), input('same', 'medium')],
      [],
      null,
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
    );
    const changes = Object.fromEntries(
      report.engagements.map((entry) => [entry.engagementId, entry.change]),
    );
    expect(changes).toEqual({ up: 'raised', down: 'lowered', same: 'unchanged', fresh: 'new' });
    expect(report.engagements.find((entry) => entry.engagementId === 'up')?.previousLevel).toBe(
      'low',
    );
  });

  it('lists an engagement closed since the previous report as closed, outside the totals', () => {
    const previous = buildWeeklyReport([input('gone', 'high')], [], null);
    const report = buildWeeklyReport(
      [],
      [
        input('gone', 'none', { status: 'completed' }),
        input('never-listed', 'none', { status: 'cancelled' }),
      ],
      previous,
    );
    expect(report.engagements).toEqual([
      expect.objectContaining({ engagementId: 'gone', change: 'closed', previousLevel: 'high' }),
    ]);
    expect(report.totals.engagements).toBe(0);
  });

  it('does not carry a closed entry into the week after', () => {
    const first = buildWeeklyReport([input('gone', 'high')], [], null);
    const second = buildWeeklyReport([], [input('gone', 'none', { status: 'completed' })], first);
    const third: WeeklyReportContent = buildWeeklyReport(
      [],
      [input('gone', 'none', { status: 'completed' })],
      second,
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
});
