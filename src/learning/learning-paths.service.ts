import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Drill } from '../drills/drill.entity.js';
import type { EngagementStatus } from '../engagements/engagement-status.js';
import { PersonNotFoundError } from '../people/people.errors.js';
import { Person } from '../people/person.entity.js';
import { type FactsRow, toFacts } from '../risk/risk-facts.repository.js';
import { RiskService } from '../risk/risk.service.js';
import { type LearningPathResponse, PATH_LIST_LIMIT } from './dto/learning-path.dto.js';
import { LearningSprintResponse } from './dto/learning-sprint.dto.js';
import { LearningSprint } from './learning-sprint.entity.js';
import { learnersOf } from './learning-sprints.service.js';

interface PathEngagementRow {
  id: string;
  title: string;
  status: EngagementStatus;
  facts: FactsRow | null;
}

/** Where a person's skills are going (SPEC §9): their sprints, drills and engagements. */
@Injectable()
export class LearningPathsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly risk: RiskService,
  ) {}

  async forPerson(personId: string): Promise<LearningPathResponse> {
    const manager = this.dataSource.manager;
    if (!(await manager.existsBy(Person, { id: personId }))) {
      throw new PersonNotFoundError(personId);
    }
    const sprints = await manager
      .getRepository(LearningSprint)
      .createQueryBuilder('sprint')
      .where('sprint.mentorId = :personId', { personId })
      .orWhere(
        'EXISTS (SELECT 1 FROM learning_sprint_learners l WHERE l.sprint_id = sprint.id AND l.person_id = :personId)',
        { personId },
      )
      .orderBy('sprint.startsOn', 'DESC')
      .addOrderBy('sprint.id', 'DESC')
      .limit(PATH_LIST_LIMIT)
      .getMany();
    const learners = await learnersOf(
      manager,
      sprints.map((sprint) => sprint.id),
    );
    const drills = await manager
      .getRepository(Drill)
      .createQueryBuilder('drill')
      .where(
        'EXISTS (SELECT 1 FROM drill_participants p WHERE p.drill_id = drill.id AND p.person_id = :personId)',
        { personId },
      )
      .orderBy('drill.performedOn', 'DESC', 'NULLS FIRST')
      .addOrderBy('drill.createdAt', 'DESC')
      .limit(PATH_LIST_LIMIT)
      .getMany();
    const engagements: PathEngagementRow[] = await manager.query(
      `SELECT e.id, e.title, e.status, to_jsonb(f) AS facts
         FROM engagement_knowledge_recipients r
         JOIN engagements e ON e.id = r.engagement_id
         LEFT JOIN engagement_risk_facts f ON f.engagement_id = e.id
        WHERE r.person_id = $1
        ORDER BY f.final_due_date NULLS LAST, e.created_at, e.id
        LIMIT ${PATH_LIST_LIMIT}`,
      [personId],
    );
    return {
      personId,
      sprints: sprints.map((sprint) => ({
        ...LearningSprintResponse.from(sprint, learners(sprint.id)),
        role: sprint.mentorId === personId ? 'mentor' : 'learner',
      })),
      drills: drills.map((drill) => ({
        id: drill.id,
        engagementId: drill.engagementId,
        kind: drill.kind,
        title: drill.title,
        outcome: drill.outcome,
        performedOn: drill.performedOn,
        vendorAssistance: drill.vendorAssistance,
      })),
      engagements: engagements.map((row) => {
        const facts = row.facts && toFacts(row.facts);
        return {
          engagementId: row.id,
          title: row.title,
          status: row.status,
          independentOperator: !!facts && this.risk.independentOperators(facts).includes(personId),
          finalHandoverDueDate: facts?.finalHandover?.dueDate ?? null,
          finalHandoverCompletedOn: facts?.finalHandover?.completedOn ?? null,
        };
      }),
    };
  }
}
