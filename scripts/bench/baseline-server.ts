import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import pg from 'pg';
import { bearerToken, secretMatches, secretPrefix } from '../../src/auth/api-key-secret.js';
import { READ_ROLES, type Role } from '../../src/auth/role.js';
import { todayUtc } from '../../src/common/dates.js';
import { loadConfig } from '../../src/config/config.js';
import type { EngagementStatus } from '../../src/engagements/engagement-status.js';
import { lastSafeHandoverDate } from '../../src/engagements/exit-clock.js';
import { assessRisk } from '../../src/risk/assess-risk.js';
import { type FactsRow, toFacts } from '../../src/risk/risk-facts.repository.js';
import { ENGAGEMENT_RESPONSE, KEY_BY_PREFIX, type Statement, TOUCH_KEY } from './baseline-sql.js';

/**
 * The bare baseline of `npm run bench`: Fastify and `pg`, no Nest, no TypeORM, and the
 * cheapest honest SQL (baseline-sql.ts). For `GET /v1/engagements/{id}` it authenticates the
 * API key as the API must (candidates by prefix, then the hash comparison, revocation, expiry,
 * role), reads the engagement, its recipients and its risk facts in one prepared round trip,
 * judges today's risk with the API's `assessRisk` on the facts row (through the API's own
 * `toFacts`), and answers the same JSON body and ETag. The domain rules are the API's own pure
 * functions, so the difference in CPU per request is what the API's stack and SQL cost.
 * Configured from the same environment as the API (DATABASE_URL, PORT, HOST, DB_POOL_SIZE,
 * DB_STATEMENT_TIMEOUT_MS, RISK_*). `GET /_baseline/statements` tells how many statements it
 * has sent (the benchmark reads it before and after its measured window).
 */

// As the API's data source does: a PostgreSQL `date` stays 'YYYY-MM-DD'.
pg.types.setTypeParser(pg.types.builtins.DATE, (value) => value);

const LAST_USED_RESOLUTION_MS = 60_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface KeyRow {
  id: string;
  role: Role;
  secret_hash: string;
  last_used_at: Date | null;
  revoked_at: Date | null;
  expires_at: Date | null;
}

interface ResponseRow extends Omit<FactsRow, 'engagement_id' | 'status'> {
  id: string;
  title: string;
  vendor_id: string;
  contract_ref: string | null;
  status: EngagementStatus;
  product_owner_id: string;
  spec_problem: string;
  spec_success_metrics: unknown[];
  spec_constraints: string[];
  spec_trade_off_owner_id: string;
  spec_trade_off_rule: string | null;
  start_date: string | null;
  contract_end_date: string | null;
  notice_period_days: number;
  activated_at: Date | null;
  completed_at: Date | null;
  cancelled_at: Date | null;
  cancel_reason: string | null;
  created_at: Date;
  updated_at: Date;
  version: number;
  recipient_ids: string[];
  facts_engagement_id: string | null;
  facts_status: EngagementStatus | null;
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

let statements = 0;
async function query<Row extends pg.QueryResultRow>(
  statement: Statement,
  values: unknown[],
): Promise<Row[]> {
  statements++;
  return (await pool.query<Row>({ name: statement.name, text: statement.text, values })).rows;
}

const app = Fastify({ logger: false, genReqId: () => randomUUID() });
app.addHook('onRequest', async (request, reply) => {
  reply.header('X-Request-Id', request.id);
});

const problem = (status: number, detail: string) => ({ status, detail });

app.get('/health/live', async () => ({ status: 'ok' }));
app.get('/_baseline/statements', async () => ({ statements }));

app.get<{ Params: { id: string } }>('/v1/engagements/:id', async (request, reply) => {
  const token = bearerToken(request.headers.authorization);
  if (!token) return reply.code(401).send(problem(401, 'missing API key'));
  const now = new Date();
  const keys = await query<KeyRow>(KEY_BY_PREFIX, [secretPrefix(token)]);
  const key = keys.find((row) => secretMatches(token, row.secret_hash));
  if (!key || key.revoked_at || (key.expires_at && key.expires_at <= now)) {
    return reply.code(401).send(problem(401, 'unknown, revoked or expired API key'));
  }
  if (!key.last_used_at || now.getTime() - key.last_used_at.getTime() > LAST_USED_RESOLUTION_MS) {
    await query(TOUCH_KEY, [now, key.id]);
  }
  if (!READ_ROLES.includes(key.role)) return reply.code(403).send(problem(403, 'role'));

  const { id } = request.params;
  if (!UUID.test(id)) return reply.code(400).send(problem(400, 'id must be a UUID'));
  const [row] = await query<ResponseRow>(ENGAGEMENT_RESPONSE, [id]);
  if (!row) return reply.code(404).send(problem(404, `Engagement ${id} not found`));
  const risk =
    row.facts_engagement_id !== null
      ? assessRisk(
          toFacts({ ...row, engagement_id: row.facts_engagement_id, status: row.facts_status! }),
          todayUtc(),
          config.risk,
        )
      : { level: 'none', score: 0, dependencyTrap: false };

  reply.header('ETag', `"${row.version}"`);
  return {
    id: row.id,
    title: row.title,
    vendorId: row.vendor_id,
    contractRef: row.contract_ref,
    status: row.status,
    productOwnerId: row.product_owner_id,
    spec: {
      problem: row.spec_problem,
      successMetrics: row.spec_success_metrics,
      constraints: row.spec_constraints,
      tradeOffOwnerId: row.spec_trade_off_owner_id,
      tradeOffRule: row.spec_trade_off_rule,
    },
    knowledgeRecipientIds: row.recipient_ids,
    startDate: row.start_date,
    contractEndDate: row.contract_end_date,
    noticePeriodDays: row.notice_period_days,
    lastSafeHandoverDate: lastSafeHandoverDate(row.contract_end_date, row.notice_period_days),
    activatedAt: row.activated_at?.toISOString() ?? null,
    completedAt: row.completed_at?.toISOString() ?? null,
    cancelledAt: row.cancelled_at?.toISOString() ?? null,
    cancelReason: row.cancel_reason,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    version: row.version,
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
