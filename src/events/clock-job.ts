import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { DataSource, type EntityManager, In } from 'typeorm';
import { Clock } from '../common/clock.js';
import { addDays, daysBetween } from '../common/dates.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { MilestoneResponse } from '../milestones/dto/milestone.dto.js';
import { Milestone } from '../milestones/milestone.entity.js';
import { raiseDueEscalations, resolveSettledEscalations } from '../escalations/escalation-store.js';
import { assessRisk } from '../risk/assess-risk.js';
import { RiskHistoryEntry } from '../risk/risk-facts.entity.js';
import { type FactsRow, toFacts } from '../risk/risk-facts.repository.js';
import { signalChanges } from '../risk/risk-timeline.js';
import type { EventActor } from './event.entity.js';
import { EventsService, type NewEvent } from './events.service.js';

const MINUTE_MS = 60_000;
/** Triggers claimed per transaction: a catch-up over a large portfolio runs in bounded memory. */
const BATCH = 500;

interface Fired {
  dueSoon: number;
  overdue: number;
  levelChanges: number;
}

interface RunTotals extends Fired {
  escalationsRaised: number;
  escalationsResolved: number;
}

interface FiredMilestone {
  subject_id: string;
  kind: 'due_soon' | 'overdue';
  on_date: string;
}

type FiredLevelChange = FactsRow & { on_date: string; vendor_id: string };

/** Milestones of active engagements that reach a trigger today, claimed once for ever. */
const CLAIM_MILESTONES = `
INSERT INTO clock_triggers (subject_id, kind, on_date)
SELECT due.id, due.kind, due.due_date
  FROM (SELECT m.id, CASE WHEN m.due_date < $1::date THEN 'overdue' ELSE 'due_soon' END AS kind, m.due_date
          FROM milestones m JOIN engagements e ON e.id = m.engagement_id
         WHERE e.status = 'active' AND m.completed_on IS NULL AND m.due_date - $2::int <= $1::date) due
 WHERE NOT EXISTS (SELECT 1 FROM clock_triggers c
                    WHERE c.subject_id = due.id AND c.kind = due.kind AND c.on_date = due.due_date)
 LIMIT ${BATCH}
ON CONFLICT DO NOTHING
RETURNING subject_id, kind, on_date`;

/**
 * Days on which an engagement's level changed by time alone: a timeline segment that starts
 * after the day the timeline was derived, on or before today, at another level than the one
 * before it. Claimed once per engagement and day.
 */
const claimLevelChanges = (engagement: string) => `
INSERT INTO clock_triggers (subject_id, kind, on_date)
SELECT t.engagement_id, 'risk_level', t.valid_from
  FROM risk_timeline t
  JOIN risk_timeline before ON before.engagement_id = t.engagement_id AND before.valid_until = t.valid_from
 WHERE t.valid_from > t.derived_on AND t.valid_from <= $1::date AND t.level <> before.level
   AND ${engagement}
   AND NOT EXISTS (SELECT 1 FROM clock_triggers c
                    WHERE c.subject_id = t.engagement_id AND c.kind = 'risk_level' AND c.on_date = t.valid_from)
 LIMIT ${BATCH}
ON CONFLICT DO NOTHING
RETURNING subject_id, on_date`;
const CLAIM_LEVEL_CHANGES = claimLevelChanges('TRUE');
const CLAIM_LEVEL_CHANGES_OF_ONE = claimLevelChanges('t.engagement_id = $2::uuid');

/** Who the clock's events say made them. */
export const CLOCK_ACTOR: EventActor = { apiKeyId: null, name: 'clock', role: 'system' };

/** Time-caused level changes with their history entries (eventId filled once recorded). */
export interface TimeCausedChanges {
  events: NewEvent[];
  history: Omit<RiskHistoryEntry, 'id' | 'at' | 'eventId' | 'engagement'>[];
}

/**
 * The clock (SPEC §6): at start-up and every CLOCK_INTERVAL_MINUTES, in every instance, it
 * emits `milestone.due_soon`, `milestone.overdue`, time-caused `risk.level_changed` and
 * `escalation.raised` (SPEC §7), each
 * exactly once per subject, trigger and date: the instance whose insert of the trigger row
 * wins emits it, in the same transaction. After downtime it catches up; a due date moved
 * later is a new date, so its triggers fire again.
 */
@Injectable()
export class ClockJob implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ClockJob.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly events: EventsService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.tick();
    this.timer = setInterval(() => void this.tick(), this.config.clockIntervalMinutes * MINUTE_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /**
   * One run, batch after batch until nothing is left to fire: what fired, by kind. The
   * escalations come last, judged on the levels and history the run has just brought up to date.
   */
  async runOnce(): Promise<RunTotals> {
    const today = this.clock.today();
    const total: Fired = { dueSoon: 0, overdue: 0, levelChanges: 0 };
    for (;;) {
      const fired = await this.runBatch(today);
      total.dueSoon += fired.dueSoon;
      total.overdue += fired.overdue;
      total.levelChanges += fired.levelChanges;
      if (fired.dueSoon + fired.overdue < BATCH && fired.levelChanges < BATCH) break;
    }
    const escalationsResolved = await this.dataSource.transaction(async (manager) => {
      const events = await resolveSettledEscalations(manager, today);
      await this.events.record(manager, CLOCK_ACTOR, events);
      return events.length;
    });
    const escalationsRaised = await raiseDueEscalations(
      (work) => this.dataSource.transaction(work),
      (manager, events) => this.events.record(manager, CLOCK_ACTOR, events),
      today,
      this.config.escalationGraceDays,
    );
    return { ...total, escalationsRaised, escalationsResolved };
  }

  private runBatch(today: string): Promise<Fired> {
    return this.dataSource.transaction(async (manager) => {
      const milestones: FiredMilestone[] = await manager.query(CLAIM_MILESTONES, [
        today,
        this.config.eventDueSoonDays,
      ]);
      const levelDays: { subject_id: string; on_date: string }[] = await manager.query(
        CLAIM_LEVEL_CHANGES,
        [today],
      );
      const events = [
        ...(await this.milestoneEvents(manager, milestones, today)),
        ...(await this.levelEvents(manager, levelDays)),
      ];
      const ids = await this.events.record(
        manager,
        CLOCK_ACTOR,
        events.map(({ event }) => event),
      );
      const history = events.flatMap(({ history: entry }, index) =>
        entry ? [{ ...entry, eventId: ids[index] }] : [],
      );
      if (history.length > 0) await manager.insert(RiskHistoryEntry, history);
      return {
        dueSoon: milestones.filter((fired) => fired.kind === 'due_soon').length,
        overdue: milestones.filter((fired) => fired.kind === 'overdue').length,
        levelChanges: levelDays.length,
      };
    });
  }

  /**
   * The level changes time has made to one engagement since its timeline was derived, claimed
   * in the caller's transaction: a write calls it before it re-derives the timeline, so that a
   * change on a day the clock has not run yet is still told, once.
   */
  async catchUpEngagement(
    manager: EntityManager,
    engagementId: string,
  ): Promise<TimeCausedChanges> {
    const days: { subject_id: string; on_date: string }[] = await manager.query(
      CLAIM_LEVEL_CHANGES_OF_ONE,
      [this.clock.today(), engagementId],
    );
    const changes = await this.levelEvents(manager, days);
    return {
      events: changes.map((change) => change.event),
      history: changes.map((change) => change.history),
    };
  }

  private async milestoneEvents(
    manager: EntityManager,
    fired: FiredMilestone[],
    today: string,
  ): Promise<{ event: NewEvent; history?: undefined }[]> {
    if (fired.length === 0) return [];
    const milestones = await manager.find(Milestone, {
      where: { id: In(fired.map((trigger) => trigger.subject_id)) },
      relations: { engagement: true },
    });
    const byId = new Map(milestones.map((milestone) => [milestone.id, milestone]));
    return fired.flatMap((trigger) => {
      const milestone = byId.get(trigger.subject_id);
      if (!milestone) return [];
      const about = {
        engagementId: milestone.engagementId,
        vendorId: milestone.engagement?.vendorId ?? null,
      };
      const response = MilestoneResponse.from(milestone);
      return [
        {
          event:
            trigger.kind === 'due_soon'
              ? {
                  type: 'milestone.due_soon' as const,
                  ...about,
                  data: {
                    milestone: response,
                    dueDate: trigger.on_date,
                    daysLeft: daysBetween(today, trigger.on_date),
                  },
                }
              : {
                  type: 'milestone.overdue' as const,
                  ...about,
                  data: { milestone: response, dueDate: trigger.on_date },
                },
        },
      ];
    });
  }

  /** The level changes, judged from the stored facts on the day before and the day itself. */
  private async levelEvents(
    manager: EntityManager,
    fired: { subject_id: string; on_date: string }[],
  ): Promise<
    { event: NewEvent; history: Omit<RiskHistoryEntry, 'id' | 'at' | 'eventId' | 'engagement'> }[]
  > {
    if (fired.length === 0) return [];
    const rows: FiredLevelChange[] = await manager.query(
      `SELECT f.*, fired.on_date, e.vendor_id
         FROM unnest($1::uuid[], $2::date[]) AS fired (engagement_id, on_date)
         JOIN engagement_risk_facts f ON f.engagement_id = fired.engagement_id
         JOIN engagements e ON e.id = fired.engagement_id
        ORDER BY fired.on_date, fired.engagement_id`,
      [fired.map((trigger) => trigger.subject_id), fired.map((trigger) => trigger.on_date)],
    );
    return rows.map((row) => {
      const facts = toFacts(row);
      const before = assessRisk(facts, addDays(row.on_date, -1), this.config.risk);
      const after = assessRisk(facts, row.on_date, this.config.risk);
      const { raised, cleared } = signalChanges(before, after);
      return {
        event: {
          type: 'risk.level_changed',
          engagementId: row.engagement_id,
          vendorId: row.vendor_id,
          data: {
            from: { level: before.level, score: before.score },
            to: { level: after.level, score: after.score },
            raised,
            cleared,
            cause: 'time',
          },
        },
        history: {
          engagementId: row.engagement_id,
          changedOn: row.on_date,
          fromLevel: before.level,
          fromScore: before.score,
          toLevel: after.level,
          toScore: after.score,
          raised,
          cleared,
          cause: 'time',
        },
      };
    });
  }

  private async tick(): Promise<void> {
    const run = this.runOnce();
    this.running = run.catch(() => undefined);
    try {
      const fired = await run;
      const total =
        fired.dueSoon +
        fired.overdue +
        fired.levelChanges +
        fired.escalationsRaised +
        fired.escalationsResolved;
      if (total > 0) {
        this.logger.log(
          `Clock: ${fired.dueSoon} due soon, ${fired.overdue} overdue, ${fired.levelChanges} level changes, ` +
            `${fired.escalationsRaised} escalations raised, ${fired.escalationsResolved} resolved`,
        );
      }
    } catch (error) {
      this.logger.warn(
        `Clock run failed, retrying at the next interval: ${(error as Error).message}`,
      );
    }
  }
}
