// The migrations, oldest first. Written by `npm run migration:generate|create`.
import type { MigrationInterface } from 'typeorm';
import { Initial1795300580190 } from './1795300580190-Initial.js';
import { Engagements1795300999549 } from './1795300999549-Engagements.js';
import { WeeklyReports1795306248625 } from './1795306248625-WeeklyReports.js';
import { RiskFacts1796155810790 } from './1796155810790-RiskFacts.js';
import { Events1796157792365 } from './1796157792365-Events.js';
import { Clock1796158937743 } from './1796158937743-Clock.js';
import { TimelineVendor1796160496191 } from './1796160496191-TimelineVendor.js';
import { Webhooks1796166644460 } from './1796166644460-Webhooks.js';
import { Drills1796185868869 } from './1796185868869-Drills.js';
import { LearningSprints1796188292755 } from './1796188292755-LearningSprints.js';
import { IdempotencyCommitted1796190000000 } from './1796190000000-IdempotencyCommitted.js';

export const migrations: (new () => MigrationInterface)[] = [
  Initial1795300580190,
  Engagements1795300999549,
  WeeklyReports1795306248625,
  RiskFacts1796155810790,
  Events1796157792365,
  Clock1796158937743,
  TimelineVendor1796160496191,
  Webhooks1796166644460,
  Drills1796185868869,
  LearningSprints1796188292755,
  IdempotencyCommitted1796190000000,
];
