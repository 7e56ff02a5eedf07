/** The weekly report's formats (`?format=`) and the media types they are served as. */
export const REPORT_FORMATS = {
  json: 'application/json',
  csv: 'text/csv',
  md: 'text/markdown',
  html: 'text/html',
} as const;
export type ReportFormat = keyof typeof REPORT_FORMATS;
