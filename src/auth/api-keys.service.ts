import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, type Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { creationChanges, diffChanges } from '../audit/changes.js';
import { type Page, type PageQuery, pageByCreation } from '../common/pagination.js';
import { ValidationProblem } from '../common/problem.js';
import { runPrepared } from '../database/prepared.js';
import { missingPeople } from '../people/people.service.js';
import type { Actor } from './actor.js';
import { ApiKey } from './api-key.entity.js';
import { generateSecret, hashSecret, secretMatches, secretPrefix } from './api-key-secret.js';
import { ApiKeyNotFoundError } from './auth.errors.js';
import type { CreateApiKeyDto } from './dto/create-api-key.dto.js';
import { ApiKeyResponse, CreatedApiKeyResponse } from './dto/api-key.response.js';
import type { Role } from './role.js';

/** Who a valid key speaks for: what a request's actor is made of. */
export type AuthenticatedKey = Pick<ApiKey, 'id' | 'name' | 'role' | 'personId'>;

export type AuthenticationResult =
  { outcome: 'ok'; key: AuthenticatedKey } | { outcome: 'unknown' | 'revoked' | 'expired' };

/** How stale `lastUsedAt` may get before a request refreshes it (saves a write per request). */
const LAST_USED_RESOLUTION_MS = 60_000;

interface KeyRow {
  id: string;
  name: string;
  role: Role;
  person_id: string | null;
  secret_hash: string;
  last_used_at: Date | null;
  revoked_at: Date | null;
  expires_at: Date | null;
}

/** Every request runs these: prepared, so they are planned once per connection. */
const KEYS_BY_PREFIX = {
  name: 'api_keys_by_prefix',
  text: `SELECT id, name, role, person_id, secret_hash, last_used_at, revoked_at, expires_at
           FROM api_keys WHERE prefix = $1`,
};
const TOUCH_KEY = {
  name: 'api_keys_touch',
  text: 'UPDATE api_keys SET last_used_at = $2 WHERE id = $1',
};

@Injectable()
export class ApiKeysService {
  private readonly keys: Repository<ApiKey>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {
    this.keys = dataSource.getRepository(ApiKey);
  }

  async authenticate(secret: string, now = new Date()): Promise<AuthenticationResult> {
    const manager = this.dataSource.manager;
    const candidates = await runPrepared<KeyRow>(manager, KEYS_BY_PREFIX, [secretPrefix(secret)]);
    const key = candidates.find((candidate) => secretMatches(secret, candidate.secret_hash));
    if (!key) return { outcome: 'unknown' };
    if (key.revoked_at) return { outcome: 'revoked' };
    if (key.expires_at && key.expires_at <= now) return { outcome: 'expired' };
    if (!key.last_used_at || now.getTime() - key.last_used_at.getTime() > LAST_USED_RESOLUTION_MS) {
      await runPrepared(manager, TOUCH_KEY, [key.id, now]);
    }
    return {
      outcome: 'ok',
      key: { id: key.id, name: key.name, role: key.role, personId: key.person_id },
    };
  }

  async create(
    actor: Actor,
    input: CreateApiKeyDto,
    now = new Date(),
  ): Promise<CreatedApiKeyResponse> {
    const expiresAt = input.expiresAt ? new Date(input.expiresAt) : null;
    const problems = await missingPeople(this.dataSource.manager, [
      { field: 'personId', id: input.personId },
    ]);
    if (expiresAt && expiresAt <= now) {
      problems.push({ field: 'expiresAt', message: 'expiresAt must be in the future' });
    }
    if (problems.length > 0) throw new ValidationProblem(problems);
    return this.dataSource.transaction(async (manager) => {
      const created = await this.issue(
        { name: input.name, role: input.role, personId: input.personId ?? null, expiresAt },
        manager,
      );
      await this.audit.record(manager, actor, {
        action: 'api_key.created',
        entityType: 'api_key',
        entityId: created.id,
        changes: creationChanges({
          name: created.name,
          role: created.role,
          personId: created.personId,
          expiresAt: created.expiresAt,
        }),
      });
      return created;
    });
  }

  /** Stores a new key with a fresh secret and returns it with the secret, the only time it is seen. */
  async issue(
    fields: {
      name: string;
      role: Role;
      personId: string | null;
      expiresAt: Date | null;
    },
    manager: EntityManager = this.dataSource.manager,
  ): Promise<CreatedApiKeyResponse> {
    const secret = generateSecret();
    const key = await manager.save(
      manager.create(ApiKey, {
        ...fields,
        prefix: secretPrefix(secret),
        secretHash: hashSecret(secret),
      }),
    );
    return { ...ApiKeyResponse.from(key), secret };
  }

  list(query: PageQuery): Promise<Page<ApiKeyResponse>> {
    return pageByCreation(this.keys.createQueryBuilder('key'), query, ApiKeyResponse.from);
  }

  /** Revokes a key at once; revoking a revoked key changes nothing. */
  async revoke(actor: Actor, id: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const key = await manager.findOne(ApiKey, {
        where: { id },
        lock: { mode: 'pessimistic_write' },
      });
      if (!key) throw new ApiKeyNotFoundError(id);
      if (key.revokedAt) return;
      const revokedAt = new Date();
      await manager.update(ApiKey, { id }, { revokedAt });
      await this.audit.record(manager, actor, {
        action: 'api_key.revoked',
        entityType: 'api_key',
        entityId: id,
        changes: diffChanges({ revokedAt: null }, { revokedAt: revokedAt.toISOString() }),
      });
    });
  }

  /** Makes sure a key with this secret exists (from ADMIN_API_KEY); safe when run concurrently. */
  async ensureAdminKey(secret: string): Promise<'created' | 'present' | 'revoked'> {
    const secretHash = hashSecret(secret);
    const inserted = await this.keys
      .createQueryBuilder()
      .insert()
      .values({
        name: 'Administrator (ADMIN_API_KEY)',
        role: 'admin',
        prefix: secretPrefix(secret),
        secretHash,
      })
      .orIgnore()
      .returning('id')
      .execute();
    if ((inserted.raw as unknown[]).length > 0) return 'created';
    const existing = await this.keys.findOneByOrFail({ secretHash });
    return existing.revokedAt ? 'revoked' : 'present';
  }

  /** Creates an admin key when no key exists at all, returning its secret. */
  async createFirstAdminKeyIfNone(): Promise<string | undefined> {
    if ((await this.keys.count()) > 0) return undefined;
    const key = await this.issue({
      name: 'First administrator',
      role: 'admin',
      personId: null,
      expiresAt: null,
    });
    return key.secret;
  }
}
