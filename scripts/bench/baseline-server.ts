import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import pg from 'pg';
import { bearerToken, secretMatches, secretPrefix } from '../../src/auth/api-key-secret.js';
import { READ_ROLES, type Role } from '../../src/auth/role.js';
import { todayUtc } from '../../src/common/dates.js';
import { loadConfig } from '../../src/config/config.js';
import type { EngagementStatus } from '../../src/engagements/engagement-status.js';
import { lastSafeHandoverDate } from '../../src/engagements/exit-clock.js';
import { assessRisk, type RiskFacts } from '../../src/risk/assess-risk.js';
import {
  API_KEYS_BY_PREFIX,
  ENGAGEMENT_BY_ID,
  RECIPIENTS_OF,
  RISK_FACTS,
  TOUCH_API_KEY,
} from './baseline-sql.js';

/**
 * The bare baseline of `npm run bench`: Fastify and `pg`, no Nest, no TypeORM. For
 * `GET /v1/engagements/{id}` it sends the API's statements (baseline-sql.ts) and answers the
 * same JSON body, ETag and X-Request-Id, so the difference in CPU per request is what the
 * framework and the ORM cost. The domain rules (key hashing, risk, exit clock) are the API's
 * own pure functions: both servers do the same domain work. Configured from the same
 * environment as the API (DATABASE_URL, PORT, HOST, DB_POOL_SIZE, DB_STATEMENT_TIMEOUT_MS, RISK_*).
 */

// As the API's data source does: a PostgreSQL `date` stays 'YYYY-MM-DD'.
pg.types.setTypeParser(pg.types.builtins.DATE, (value) => value);

const LAST_USED_RESOLUTION_MS = 60_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface ApiKeyRow {
  ApiKey_id: string;
  ApiKey_role: Role;
  ApiKey_secret_hash: string;
  ApiKey_last_used_at: Date | null;
  ApiKey_revoked_at: Date | null;
  ApiKey_expires_at: Date | null;
}

interface EngagementRow {
  Engagement_id: string;
  Engagement_title: string;
  Engagement_vendor_id: string;
  Engagement_contract_ref: string | null;
  Engagement_status: EngagementStatus;
  Engagement_product_owner_id: string;
  Engagement_spec_problem: string;
  Engagement_spec_success_metrics: unknown[];
  Engagement_spec_constraints: string[];
  Engagement_spec_trade_off_owner_id: string;
  Engagement_spec_trade_off_rule: string | null;
  Engagement_start_date: string | null;
  Engagement_contract_end_date: string | null;
  Engagement_notice_period_days: number;
  Engagement_activated_at: Date | null;
  Engagement_completed_at: Date | null;
  Engagement_cancelled_at: Date | null;
  Engagement_cancel_reason: string | null;
  Engagement_created_at: Date;
  Engagement_updated_at: Date;
  Engagement_version: number;
}

interface FactsRow {
  status: EngagementStatus;
  last_safe_handover_date: string | null;
  final_due_date: string | null;
  final_baseline_due_date: string | null;
  final_completed_on: string | null;
  final_slip_count: number;
  open_milestones: { id: string; dueDate: string }[];
  unaccepted_by_due_date: { dueDate: string; count: number }[];
  artifact_count: number;
  accepted_count: number;
  rejected_count: number;
  recipient_count: number;
}

function toFacts(row: FactsRow): RiskFacts {
  return {
    status: row.status,
    finalHandover: row.final_due_date
      ? {
          dueDate: row.final_due_date,
          baselineDueDate: row.final_baseline_due_date,
          completedOn: row.final_completed_on,
          slipCount: row.final_slip_count,
        }
      : null,
    openMilestones: row.open_milestones,
    unacceptedArtifactsByDueDate: row.unaccepted_by_due_date,
    artifactCount: row.artifact_count,
    acceptedArtifactCount: row.accepted_count,
    rejectedArtifactCount: row.rejected_count,
    knowledgeRecipientCount: row.recipient_count,
    lastSafeHandoverDate: row.last_safe_handover_date,
  };
}

const config = loadConfig();
if (!config.databaseUrl) {
  process.stderr.write('The baseline server needs DATABASE_URL\n');
  process.exit(78);
}
const pool = new pg.Pool({
  connectionString: config.databaseUrl,
  max: config.dbPoolSize,
  idleTimeoutMillis: 30000,
  connectionTimeoutMillis: 5000,
  application_name: 'handover-baseline',
  ...(config.dbStatementTimeoutMs > 0 ? { statement_timeout: config.dbStatementTimeoutMs } : {}),
});
pool.on('error', (error) => process.stderr.write(`pool: ${error.message}\n`));

const app = Fastify({ logger: false, genReqId: () => randomUUID() });
app.addHook('onRequest', async (request, reply) => {
  reply.header('X-Request-Id', request.id);
});

const problem = (status: number, detail: string) => ({ status, detail });

app.get('/health/live', async () => ({ status: 'ok' }));

app.get<{ Params: { id: string } }>('/v1/engagements/:id', async (request, reply) => {
  const token = bearerToken(request.headers.authorization);
  if (!token) return reply.code(401).send(problem(401, 'missing API key'));
  const now = new Date();
  const keys = await pool.query<ApiKeyRow>(API_KEYS_BY_PREFIX, [secretPrefix(token)]);
  const key = keys.rows.find((row) => secretMatches(token, row.ApiKey_secret_hash));
  if (!key || key.ApiKey_revoked_at || (key.ApiKey_expires_at && key.ApiKey_expires_at <= now)) {
    return reply.code(401).send(problem(401, 'unknown, revoked or expired API key'));
  }
  if (
    !key.ApiKey_last_used_at ||
    now.getTime() - key.ApiKey_last_used_at.getTime() > LAST_USED_RESOLUTION_MS
  ) {
    await pool.query(TOUCH_API_KEY, [now, key.ApiKey_id]);
  }
  if (!READ_ROLES.includes(key.ApiKey_role)) return reply.code(403).send(problem(403, 'role'));

  const { id } = request.params;
  if (!UUID.test(id)) return reply.code(400).send(problem(400, 'id must be a UUID'));
  const found = await pool.query<EngagementRow>(ENGAGEMENT_BY_ID, [id]);
  const engagement = found.rows[0];
  if (!engagement) return reply.code(404).send(problem(404, `Engagement ${id} not found`));
  const recipients = await pool.query<{ EngagementKnowledgeRecipient_person_id: string }>(
    RECIPIENTS_OF,
    [id],
  );
  const facts = await pool.query<FactsRow>(RISK_FACTS, [[id]]);
  const risk = facts.rows[0]
    ? assessRisk(toFacts(facts.rows[0]), todayUtc(), config.risk)
    : { level: 'none', score: 0, dependencyTrap: false };

  reply.header('ETag', `"${engagement.Engagement_version}"`);
  return {
    id: engagement.Engagement_id,
    title: engagement.Engagement_title,
    vendorId: engagement.Engagement_vendor_id,
    contractRef: engagement.Engagement_contract_ref,
    status: engagement.Engagement_status,
    productOwnerId: engagement.Engagement_product_owner_id,
    spec: {
      problem: engagement.Engagement_spec_problem,
      successMetrics: engagement.Engagement_spec_success_metrics,
      constraints: engagement.Engagement_spec_constraints,
      tradeOffOwnerId: engagement.Engagement_spec_trade_off_owner_id,
      tradeOffRule: engagement.Engagement_spec_trade_off_rule,
    },
    knowledgeRecipientIds: recipients.rows.map((row) => row.EngagementKnowledgeRecipient_person_id),
    startDate: engagement.Engagement_start_date,
    contractEndDate: engagement.Engagement_contract_end_date,
    noticePeriodDays: engagement.Engagement_notice_period_days,
    lastSafeHandoverDate: lastSafeHandoverDate(
      engagement.Engagement_contract_end_date,
      engagement.Engagement_notice_period_days,
    ),
    activatedAt: engagement.Engagement_activated_at?.toISOString() ?? null,
    completedAt: engagement.Engagement_completed_at?.toISOString() ?? null,
    cancelledAt: engagement.Engagement_cancelled_at?.toISOString() ?? null,
    cancelReason: engagement.Engagement_cancel_reason,
    createdAt: engagement.Engagement_created_at.toISOString(),
    updatedAt: engagement.Engagement_updated_at.toISOString(),
    version: engagement.Engagement_version,
    risk: { level: risk.level, score: risk.score, dependencyTrap: risk.dependencyTrap },
  };
});

const stop = async () => {
  await app.close();
  await pool.end();
  process.exit(0);
};
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());

await app.listen({ port: config.port, host: config.host });
process.stderr.write(`Baseline is serving http://${config.host}:${config.port}\n`);
