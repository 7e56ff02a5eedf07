import { csvField } from '../common/csv.js';
import { escapeHtml } from '../common/html.js';
import { negotiate } from '../common/content-negotiation.js';
import { RISK_LEVELS, type RiskLevel } from '../risk/assess-risk.js';
import { REPORT_FORMATS, type ReportFormat } from './report-formats.js';
import type {
  ReportAcknowledgementEntry,
  ReportEngagementEntry,
  WeeklyReportResponse,
} from './dto/weekly-report.dto.js';

const CSV_COLUMNS = [
  'week',
  'engagementId',
  'title',
  'vendor',
  'productOwner',
  'status',
  'level',
  'score',
  'dependencyTrap',
  'previousLevel',
  'change',
  'signals',
  'escalationLevel',
  'escalatedSince',
  'escalationRaisedAt',
  'escalationAcknowledgedAt',
  'acknowledgements',
  'independentOperators',
] as const;

/** An acknowledgement in a line of words, for the CSV cell that holds them. */
const acknowledgementLine = (acknowledgement: ReportAcknowledgementEntry): string =>
  `${acknowledgement.acknowledgedAt} ${acknowledgement.acknowledgedBy} (${acknowledgement.level}, until ${acknowledgement.until}): ${acknowledgement.note}`;

/**
 * One row per engagement, with a header row; CRLF line ends. The engagement's open escalation,
 * its acknowledgements since the previous report (one per line) and its independent operator
 * count (empty in a report stored before drills existed) are columns of its row, after the
 * original ones, so readers of the older columns are unaffected.
 */
export function toCsv(report: WeeklyReportResponse): string {
  const escalations = new Map(
    report.escalations.map((escalation) => [escalation.engagementId, escalation]),
  );
  const acknowledgements = new Map<string, string[]>();
  for (const acknowledgement of report.acknowledgements) {
    const lines = acknowledgements.get(acknowledgement.engagementId);
    if (lines) lines.push(acknowledgementLine(acknowledgement));
    else acknowledgements.set(acknowledgement.engagementId, [acknowledgementLine(acknowledgement)]);
  }
  const rows = report.engagements.map((entry) => {
    const escalation = escalations.get(entry.engagementId);
    return [
      report.week,
      entry.engagementId,
      entry.title,
      entry.vendor.name,
      entry.productOwner.name,
      entry.status,
      entry.level,
      entry.score,
      entry.dependencyTrap,
      entry.previousLevel ?? '',
      entry.change,
      entry.signals.map((signal) => signal.code).join(' '),
      escalation?.level,
      escalation?.since,
      escalation?.raisedAt,
      escalation?.acknowledgedAt,
      acknowledgements.get(entry.engagementId)?.join('\n'),
      entry.independentOperators,
    ];
  });
  return [CSV_COLUMNS, ...rows].map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}

/** The count, or a dash for a report stored before drills existed (unknown, not zero). */
const operatorCount = (entry: Pick<ReportEngagementEntry, 'independentOperators'>): string =>
  entry.independentOperators === null ? '—' : String(entry.independentOperators);

const mdCell = (value: unknown): string =>
  String(value ?? '')
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/[\r\n]+/g, ' ');

export function toMarkdown(report: WeeklyReportResponse): string {
  const flagged = report.engagements.filter((entry) => entry.dependencyTrap);
  const changed = report.engagements.filter((entry) => entry.change !== 'unchanged');
  const lines = [
    `# Handover risk report ${report.week}`,
    '',
    `As of ${report.asOf}; generated ${report.generatedAt}. ${report.totals.engagements} open engagements, ` +
      `${report.totals.dependencyTrap} in a dependency trap.`,
    '',
    '## Engagements by risk level',
    '',
    '| level | engagements |',
    '|---|---|',
    ...RISK_LEVELS.map((level) => `| ${level} | ${report.totals.byLevel[level as RiskLevel]} |`),
    '',
    '## Dependency traps',
    '',
    ...(flagged.length === 0
      ? ['None.']
      : flagged.flatMap((entry) => [
          `### ${mdCell(entry.title)} (${entry.level}, score ${entry.score})`,
          '',
          `Vendor ${mdCell(entry.vendor.name)}; product owner ${mdCell(entry.productOwner.name)}; independent operators ${operatorCount(entry)}.`,
          '',
          ...entry.signals.map((signal) => `- **${signal.severity}**: ${mdCell(signal.message)}`),
          '',
        ])),
    '',
    '## Open escalations',
    '',
    ...(report.escalations.length === 0
      ? ['None.']
      : [
          '| engagement | vendor | level | since | raised | acknowledged |',
          '|---|---|---|---|---|---|',
          ...report.escalations.map(
            (escalation) =>
              `| ${mdCell(escalation.title)} | ${mdCell(escalation.vendorName)} | ${mdCell(escalation.level)} | ${escalation.since} | ${escalation.raisedAt} | ${escalation.acknowledgedAt ?? 'no'} |`,
          ),
        ]),
    '',
    '## Risk acknowledgements since the previous report',
    '',
    ...(report.acknowledgements.length === 0
      ? ['None.']
      : [
          '| engagement | level | acknowledged by | at | until | note |',
          '|---|---|---|---|---|---|',
          ...report.acknowledgements.map(
            (acknowledgement) =>
              `| ${mdCell(acknowledgement.title)} | ${mdCell(acknowledgement.level)} | ${mdCell(acknowledgement.acknowledgedBy)} | ${acknowledgement.acknowledgedAt} | ${acknowledgement.until} | ${mdCell(acknowledgement.note)} |`,
          ),
        ]),
    '',
    '## Changes since the previous report',
    '',
    ...(changed.length === 0
      ? ['None.']
      : [
          '| engagement | vendor | change | from | to | independent operators |',
          '|---|---|---|---|---|---|',
          ...changed.map(
            (entry) =>
              `| ${mdCell(entry.title)} | ${mdCell(entry.vendor.name)} | ${entry.change} | ${entry.previousLevel ?? ''} | ${entry.level} | ${operatorCount(entry)} |`,
          ),
        ]),
    '',
    '## Vendors',
    '',
    '| vendor | open engagements | flagged | highest level | slip days |',
    '|---|---|---|---|---|',
    ...report.vendors.map(
      (vendor) =>
        `| ${mdCell(vendor.name)} | ${vendor.engagements} | ${vendor.flagged} | ${vendor.maxLevel} | ${vendor.slipDays} |`,
    ),
    '',
  ];
  return lines.join('\n');
}

const LEVEL_COLOURS: Record<RiskLevel, string> = {
  none: '#8fbc8f',
  low: '#c5d86d',
  medium: '#f2c14e',
  high: '#f08a4b',
  critical: '#d1495b',
};

/** A vertical bar chart of engagements per risk level, as inline SVG. */
function levelChart(report: WeeklyReportResponse): string {
  const width = 480;
  const height = 220;
  const max = Math.max(1, ...RISK_LEVELS.map((level) => report.totals.byLevel[level as RiskLevel]));
  const slot = width / RISK_LEVELS.length;
  const bars = RISK_LEVELS.map((level, index) => {
    const count = report.totals.byLevel[level as RiskLevel];
    const barHeight = Math.round((count / max) * (height - 50));
    const x = Math.round(index * slot + slot * 0.2);
    const y = height - 25 - barHeight;
    return (
      `<rect x="${x}" y="${y}" width="${Math.round(slot * 0.6)}" height="${barHeight}" fill="${LEVEL_COLOURS[level as RiskLevel]}"><title>${level}: ${count}</title></rect>` +
      `<text x="${Math.round(index * slot + slot / 2)}" y="${y - 5}" text-anchor="middle">${count}</text>` +
      `<text x="${Math.round(index * slot + slot / 2)}" y="${height - 8}" text-anchor="middle">${level}</text>`
    );
  });
  return `<svg id="chart-levels" role="img" aria-label="Engagements by risk level" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${bars.join('')}</svg>`;
}

/** A horizontal bar chart of slip days per vendor, as inline SVG. */
function slipChart(report: WeeklyReportResponse): string {
  const vendors = [...report.vendors].sort((a, b) => b.slipDays - a.slipDays).slice(0, 15);
  const width = 480;
  const rowHeight = 26;
  const height = Math.max(1, vendors.length) * rowHeight + 10;
  const max = Math.max(1, ...vendors.map((vendor) => vendor.slipDays));
  const labelWidth = 170;
  const rows = vendors.map((vendor, index) => {
    const barWidth = Math.max(
      vendor.slipDays > 0 ? 2 : 0,
      Math.round((vendor.slipDays / max) * (width - labelWidth - 50)),
    );
    const y = index * rowHeight + 5;
    return (
      `<text x="${labelWidth - 8}" y="${y + 17}" text-anchor="end">${escapeHtml(vendor.name.slice(0, 24))}</text>` +
      `<rect x="${labelWidth}" y="${y + 4}" width="${barWidth}" height="${rowHeight - 8}" fill="#4f6d7a"><title>${escapeHtml(vendor.name)}: ${vendor.slipDays} days</title></rect>` +
      `<text x="${labelWidth + barWidth + 6}" y="${y + 17}">${vendor.slipDays} d</text>`
    );
  });
  const empty = vendors.length === 0 ? `<text x="10" y="22">No open engagements.</text>` : '';
  return `<svg id="chart-slips" role="img" aria-label="Final-handover slip days by vendor" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${rows.join('')}${empty}</svg>`;
}

/** The page a product owner opens on Monday: self-contained, no external requests. */
export function toHtml(report: WeeklyReportResponse): string {
  const flagged = report.engagements.filter((entry) => entry.dependencyTrap);
  const changed = report.engagements.filter((entry) => entry.change !== 'unchanged');
  const level = (value: string | null) =>
    value
      ? `<span class="level" style="background:${LEVEL_COLOURS[value as RiskLevel]}">${escapeHtml(value)}</span>`
      : '—';
  // The empty icon keeps browsers from asking the API for /favicon.ico: the page needs nothing else.
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>Handover risk report ${escapeHtml(report.week)}</title>
<style>
  body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto; max-width: 60rem; color: #1f2933; padding: 0 1rem; }
  h1 { margin-bottom: 0.2rem; } .meta { color: #52606d; margin-top: 0; }
  .charts { display: flex; flex-wrap: wrap; gap: 2rem; } figure { margin: 0; } figcaption { font-weight: 600; margin-bottom: 0.5rem; }
  svg text { font-size: 12px; fill: #1f2933; }
  table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1.5rem; } th, td { text-align: left; padding: 0.35rem 0.6rem; border-bottom: 1px solid #e4e7eb; }
  th.count, td.count { text-align: right; }
  .level { border-radius: 0.6rem; padding: 0.05rem 0.5rem; font-size: 0.85rem; }
  .engagement { border: 1px solid #e4e7eb; border-radius: 0.5rem; padding: 0.6rem 1rem; margin-bottom: 0.8rem; }
  .engagement h3 { margin: 0.2rem 0; } .engagement ul { margin: 0.4rem 0; }
</style>
</head>
<body>
<h1>Handover risk report ${escapeHtml(report.week)}</h1>
<p class="meta">As of ${escapeHtml(report.asOf)} · ${report.totals.engagements} open engagements · ${report.totals.dependencyTrap} in a dependency trap · ${report.escalations.length} open escalations</p>
<div class="charts">
<figure><figcaption>Engagements by risk level</figcaption>${levelChart(report)}</figure>
<figure><figcaption>Final-handover slip by vendor (days)</figcaption>${slipChart(report)}</figure>
</div>
<h2>Changes since the previous report</h2>
${
  changed.length === 0
    ? '<p>No changes.</p>'
    : `<table id="changes"><thead><tr><th>Engagement</th><th>Vendor</th><th>Change</th><th>From</th><th>To</th><th class="count">Independent operators</th></tr></thead><tbody>${changed
        .map(
          (entry) =>
            `<tr><td>${escapeHtml(entry.title)}</td><td>${escapeHtml(entry.vendor.name)}</td><td>${escapeHtml(entry.change)}</td><td>${level(entry.previousLevel)}</td><td>${level(entry.level)}</td><td class="count">${operatorCount(entry)}</td></tr>`,
        )
        .join('')}</tbody></table>`
}
<h2>Dependency traps</h2>
${
  flagged.length === 0
    ? '<p>No engagement is in a dependency trap.</p>'
    : flagged
        .map(
          (entry) =>
            `<section class="engagement"><h3>${escapeHtml(entry.title)} ${level(entry.level)}</h3><div>Vendor ${escapeHtml(entry.vendor.name)} · product owner ${escapeHtml(entry.productOwner.name)} · score ${entry.score} · independent operators ${operatorCount(entry)}</div><ul>${entry.signals
              .map((signal) => `<li>${escapeHtml(signal.message)}</li>`)
              .join('')}</ul></section>`,
        )
        .join('\n')
}
<h2>Open escalations</h2>
${
  report.escalations.length === 0
    ? '<p>No open escalations.</p>'
    : `<table id="escalations"><thead><tr><th>Engagement</th><th>Vendor</th><th>Level</th><th>Since</th><th>Raised</th><th>Acknowledged</th></tr></thead><tbody>${report.escalations
        .map(
          (escalation) =>
            `<tr><td>${escapeHtml(escalation.title)}</td><td>${escapeHtml(escalation.vendorName)}</td><td>${level(escalation.level)}</td><td>${escapeHtml(escalation.since)}</td><td>${escapeHtml(escalation.raisedAt)}</td><td>${escapeHtml(escalation.acknowledgedAt ?? 'no')}</td></tr>`,
        )
        .join('')}</tbody></table>`
}
<h2>Risk acknowledgements since the previous report</h2>
${
  report.acknowledgements.length === 0
    ? '<p>No acknowledgements.</p>'
    : `<table id="acknowledgements"><thead><tr><th>Engagement</th><th>Level</th><th>Acknowledged by</th><th>At</th><th>Until</th><th>Note</th></tr></thead><tbody>${report.acknowledgements
        .map(
          (acknowledgement) =>
            `<tr><td>${escapeHtml(acknowledgement.title)}</td><td>${level(acknowledgement.level)}</td><td>${escapeHtml(acknowledgement.acknowledgedBy)}</td><td>${escapeHtml(acknowledgement.acknowledgedAt)}</td><td>${escapeHtml(acknowledgement.until)}</td><td>${escapeHtml(acknowledgement.note)}</td></tr>`,
        )
        .join('')}</tbody></table>`
}
<h2>Vendors</h2>
<table><thead><tr><th>Vendor</th><th>Open engagements</th><th>Flagged</th><th>Highest level</th><th>Slip days</th></tr></thead><tbody>${report.vendors
    .map(
      (vendor) =>
        `<tr><td>${escapeHtml(vendor.name)}</td><td>${vendor.engagements}</td><td>${vendor.flagged}</td><td>${level(vendor.maxLevel)}</td><td>${vendor.slipDays}</td></tr>`,
    )
    .join('')}</tbody></table>
</body>
</html>
`;
}

/** The report in the given format: JSON stays an object, the others are text. */
export function renderReport(
  report: WeeklyReportResponse,
  format: ReportFormat,
): WeeklyReportResponse | string {
  switch (format) {
    case 'csv':
      return toCsv(report);
    case 'md':
      return toMarkdown(report);
    case 'html':
      return toHtml(report);
    default:
      return report;
  }
}

/** `?format=` wins; otherwise the Accept header picks (JSON when it allows anything). */
export function chooseFormat(
  format: ReportFormat | undefined,
  accept: string | undefined,
): ReportFormat {
  if (format) return format;
  const mediaType = negotiate(accept, Object.values(REPORT_FORMATS));
  const match = Object.entries(REPORT_FORMATS).find(([, type]) => type === mediaType);
  return (match?.[0] as ReportFormat | undefined) ?? 'json';
}
