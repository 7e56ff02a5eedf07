import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, In } from 'typeorm';
import { auditedView, creationChanges, diffChanges } from '../audit/changes.js';
import type { Actor } from '../auth/actor.js';
import { Clock } from '../common/clock.js';
import { type Page, type PageQuery, pageByCreation } from '../common/pagination.js';
import { ValidationProblem } from '../common/problem.js';
import { updateVersioned } from '../common/versioned-update.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { assertEngagementExists } from '../engagements/engagement-access.js';
import { EngagementWriter } from '../engagements/engagement-writer.js';
import { recipientsOf } from '../engagements/engagements.service.js';
import { Milestone } from '../milestones/milestone.entity.js';
import { missingPeople } from '../people/people.service.js';
import {
  type CompleteLearningSprintDto,
  type CreateLearningSprintDto,
  LearningSprintResponse,
} from './dto/learning-sprint.dto.js';
import { LearningSprint, LearningSprintLearner } from './learning-sprint.entity.js';
import {
  MENTOR_MAX_LEARNERS,
  mentorLearners,
  peopleProblems,
  sprintDateProblems,
} from './learning-rules.js';
import {
  LearningSprintNotFoundError,
  MentorOverloadedError,
  SprintAlreadyCompletedError,
  SprintNotStartedError,
} from './learning.errors.js';

/** The audited view of a sprint: what the API shows, but for identity and bookkeeping. */
const snapshot = (sprint: LearningSprintResponse) =>
  auditedView(sprint, ['id', 'engagementId', 'completedAt', 'createdAt', 'updatedAt', 'version']);

/** Learners of the given sprints, sorted: a lookup by sprint id. */
export async function learnersOf(
  manager: EntityManager,
  sprintIds: string[],
): Promise<(sprintId: string) => string[]> {
  const learners = new Map<string, string[]>(sprintIds.map((id) => [id, []]));
  if (sprintIds.length > 0) {
    const rows = await manager.find(LearningSprintLearner, {
      where: { sprintId: In(sprintIds) },
      order: { personId: 'ASC' },
    });
    for (const row of rows) learners.get(row.sprintId)?.push(row.personId);
  }
  return (sprintId) => learners.get(sprintId) ?? [];
}

/**
 * Serialises the sprints of one mentor across instances, so that two at once cannot both pass
 * the load check: held until the transaction ends.
 */
const lockMentor = (manager: EntityManager, mentorId: string) =>
  manager.query(`SELECT pg_advisory_xact_lock(hashtextextended('handover:mentor:' || $1, 0))`, [
    mentorId,
  ]);

/** Learning sprints (SPEC §9): planned towards a milestone, completed with their lessons. */
@Injectable()
export class LearningSprintsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly writer: EngagementWriter,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async create(
    actor: Actor,
    engagementId: string,
    input: CreateLearningSprintDto,
  ): Promise<LearningSprintResponse> {
    const learnerIds = [...input.learnerIds].sort();
    const { result } = await this.writer.change(
      actor,
      engagementId,
      async ({ manager, audit, emit }) => {
        const milestone = await manager.findOneBy(Milestone, {
          id: input.milestoneId,
          engagementId,
        });
        const problems = [
          ...(milestone
            ? []
            : [
                {
                  field: 'milestoneId',
                  message: 'milestoneId must name a milestone of this engagement',
                },
              ]),
          ...sprintDateProblems(input, milestone?.dueDate, this.config.sprintLength),
          ...(await missingPeople(manager, [{ field: 'mentorId', id: input.mentorId }])),
          ...peopleProblems(input, await recipientsOf(manager, engagementId)),
        ];
        if (problems.length > 0) throw new ValidationProblem(problems);

        await lockMentor(manager, input.mentorId);
        const learners = mentorLearners(
          { ...input, learnerIds },
          await this.mentorSprints(manager, input.mentorId, input),
        );
        if (learners.length > MENTOR_MAX_LEARNERS) throw new MentorOverloadedError(learners);

        const sprint = await manager.save(
          manager.create(LearningSprint, {
            engagementId,
            milestoneId: input.milestoneId,
            goal: input.goal,
            mentorId: input.mentorId,
            startsOn: input.startsOn,
            endsOn: input.endsOn,
          }),
        );
        await manager.insert(
          LearningSprintLearner,
          learnerIds.map((personId) => ({ sprintId: sprint.id, personId })),
        );
        const response = LearningSprintResponse.from(sprint, learnerIds);
        audit({
          action: 'learning_sprint.created',
          entityType: 'learning_sprint',
          entityId: sprint.id,
          changes: creationChanges(snapshot(response)),
        });
        emit('learning_sprint.created', { ...response });
        return response;
      },
    );
    return result;
  }

  async complete(
    actor: Actor,
    engagementId: string,
    id: string,
    input: CompleteLearningSprintDto,
    ifMatch: number | undefined,
  ): Promise<LearningSprintResponse> {
    const { result } = await this.writer.change(
      actor,
      engagementId,
      async ({ manager, audit, emit, lockChild }) => {
        const current = await lockChild(LearningSprint, id, LearningSprintNotFoundError, ifMatch);
        if (current.status === 'completed') throw new SprintAlreadyCompletedError();
        if (this.clock.today() < current.startsOn) throw new SprintNotStartedError(current);
        const learnerIds = (await learnersOf(manager, [id]))(id);
        const completed = await updateVersioned(manager, LearningSprint, current, ifMatch, {
          status: 'completed',
          outcome: input.outcome,
          evidenceUrl: input.evidenceUrl,
          lessons: input.lessons,
          completedAt: new Date(),
        });
        const response = LearningSprintResponse.from(completed, learnerIds);
        audit({
          action: 'learning_sprint.completed',
          entityType: 'learning_sprint',
          entityId: id,
          changes: diffChanges(
            snapshot(LearningSprintResponse.from(current, learnerIds)),
            snapshot(response),
          ),
        });
        emit('learning_sprint.completed', { ...response });
        return response;
      },
    );
    return result;
  }

  async list(engagementId: string, query: PageQuery): Promise<Page<LearningSprintResponse>> {
    const manager = this.dataSource.manager;
    await assertEngagementExists(manager, engagementId);
    const builder = manager
      .getRepository(LearningSprint)
      .createQueryBuilder('sprint')
      .where('sprint.engagementId = :engagementId', { engagementId });
    const page = await pageByCreation(builder, query, (sprint) => sprint);
    const learners = await learnersOf(
      manager,
      page.items.map((sprint) => sprint.id),
    );
    return {
      ...page,
      items: page.items.map((sprint) => LearningSprintResponse.from(sprint, learners(sprint.id))),
    };
  }

  /** The mentor's sprints in every engagement that overlap the given dates, with learners. */
  private async mentorSprints(
    manager: EntityManager,
    mentorId: string,
    range: { startsOn: string; endsOn: string },
  ) {
    const sprints = await manager
      .getRepository(LearningSprint)
      .createQueryBuilder('sprint')
      .where('sprint.mentorId = :mentorId', { mentorId })
      .andWhere('sprint.startsOn <= :endsOn AND sprint.endsOn >= :startsOn', range)
      .getMany();
    const learners = await learnersOf(
      manager,
      sprints.map((sprint) => sprint.id),
    );
    return sprints.map((sprint) => ({ ...sprint, learnerIds: learners(sprint.id) }));
  }
}
