import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, In } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { creationChanges, diffChanges } from '../audit/changes.js';
import type { Actor } from '../auth/actor.js';
import { isUniqueViolation } from '../common/database-errors.js';
import { type Page, pageByCreation } from '../common/pagination.js';
import type { ProblemItem } from '../common/problem.js';
import { definedFields, escapeLike } from '../common/query-helpers.js';
import { lockForUpdate, updateVersioned } from '../common/versioned-update.js';
import {
  type CreatePersonDto,
  type ListPeopleQuery,
  PersonResponse,
  type UpdatePersonDto,
} from './dto/person.dto.js';
import { PersonEmailTakenError, PersonNotFoundError } from './people.errors.js';
import { Person } from './person.entity.js';

const EMAIL_INDEX = 'uq_people_email_lower';

/** The audited view of a new or changed row. */
export const personSnapshot = (person: Person) => ({
  name: person.name,
  email: person.email,
  team: person.team,
});

/**
 * Problems for references to people that do not exist: `{ field, message }` per missing id.
 * A reference to a missing person is bad input (400), not a missing resource (404).
 */
export async function missingPeople(
  manager: EntityManager,
  references: { field: string; id: string | undefined | null }[],
): Promise<ProblemItem[]> {
  const ids = [
    ...new Set(references.map((reference) => reference.id).filter((id): id is string => !!id)),
  ];
  if (ids.length === 0) return [];
  const found = new Set(
    (await manager.find(Person, { select: { id: true }, where: { id: In(ids) } })).map((p) => p.id),
  );
  return references
    .filter((reference) => reference.id && !found.has(reference.id))
    .map((reference) => ({
      field: reference.field,
      message: `${reference.field} refers to a person that does not exist`,
    }));
}

@Injectable()
export class PeopleService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  async create(actor: Actor, input: CreatePersonDto): Promise<PersonResponse> {
    try {
      return await this.dataSource.transaction(async (manager) => {
        const person = await manager.save(
          manager.create(Person, {
            name: input.name,
            email: input.email,
            team: input.team ?? null,
          }),
        );
        await this.audit.record(manager, actor, {
          action: 'person.created',
          entityType: 'person',
          entityId: person.id,
          changes: creationChanges(personSnapshot(person)),
        });
        return PersonResponse.from(person);
      });
    } catch (error) {
      if (isUniqueViolation(error, EMAIL_INDEX)) throw new PersonEmailTakenError(input.email);
      throw error;
    }
  }

  async list(query: ListPeopleQuery): Promise<Page<PersonResponse>> {
    const builder = this.dataSource.getRepository(Person).createQueryBuilder('person');
    if (query.q) {
      builder.andWhere(
        `(person.name ILIKE :pattern ESCAPE '\\' OR person.email ILIKE :pattern ESCAPE '\\')`,
        {
          pattern: `%${escapeLike(query.q)}%`,
        },
      );
    }
    return pageByCreation(builder, query, PersonResponse.from);
  }

  async get(id: string): Promise<PersonResponse> {
    const person = await this.dataSource.getRepository(Person).findOneBy({ id });
    if (!person) throw new PersonNotFoundError(id);
    return PersonResponse.from(person);
  }

  async update(
    actor: Actor,
    id: string,
    input: UpdatePersonDto,
    ifMatch: number | undefined,
  ): Promise<PersonResponse> {
    try {
      return await this.dataSource.transaction(async (manager) => {
        const current = await lockForUpdate(manager, Person, id, PersonNotFoundError);
        const updated = await updateVersioned(
          manager,
          Person,
          current,
          ifMatch,
          definedFields(input, ['name', 'email', 'team']),
        );
        await this.audit.record(manager, actor, {
          action: 'person.updated',
          entityType: 'person',
          entityId: id,
          changes: diffChanges(personSnapshot(current), personSnapshot(updated)),
        });
        return PersonResponse.from(updated);
      });
    } catch (error) {
      if (isUniqueViolation(error, EMAIL_INDEX)) throw new PersonEmailTakenError(input.email ?? '');
      throw error;
    }
  }
}
