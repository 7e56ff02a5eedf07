/**
 * The SQL the API sends for `GET /v1/engagements/{id}`, copied literally so the bare baseline
 * runs the very same statements. Captured with `StatementCounter` (TypeORM's `Logger.logQuery`)
 * around one request to the API on TypeORM 1.1.1:
 * - `API_KEYS_BY_PREFIX`: `ApiKeysService.authenticate` → `keys.find({ where: { prefix } })`
 * - `TOUCH_API_KEY`: the same, `keys.update({ id }, { lastUsedAt })` when `last_used_at` is
 *   over a minute old (so about once a minute per key, not per request)
 * - `ENGAGEMENT_BY_ID`: `EngagementsService.get` → `getRepository(Engagement).findOneBy({ id })`
 * - `RECIPIENTS_OF`: `EngagementsService.recipientsOf` → `find(EngagementKnowledgeRecipient,
 *   { where: { engagementId: In([id]) }, order: { personId: 'ASC' } })`
 * - `RISK_FACTS`: `RiskFactsRepository.forEngagements([id])`, i.e. `factsSql(…)` rendered
 *
 * `npm run bench` captures the API's statements again before measuring and stops if they
 * differ from these, so the comparison cannot drift silently.
 */

export const API_KEYS_BY_PREFIX =
  'SELECT "ApiKey"."id" AS "ApiKey_id", "ApiKey"."name" AS "ApiKey_name", "ApiKey"."role" AS "ApiKey_role", "ApiKey"."person_id" AS "ApiKey_person_id", "ApiKey"."prefix" AS "ApiKey_prefix", "ApiKey"."secret_hash" AS "ApiKey_secret_hash", "ApiKey"."created_at" AS "ApiKey_created_at", "ApiKey"."last_used_at" AS "ApiKey_last_used_at", "ApiKey"."revoked_at" AS "ApiKey_revoked_at", "ApiKey"."expires_at" AS "ApiKey_expires_at" FROM "api_keys" "ApiKey" WHERE (("ApiKey"."prefix" = $1))';

export const TOUCH_API_KEY = 'UPDATE "api_keys" SET "last_used_at" = $1 WHERE "id" = $2';

export const ENGAGEMENT_BY_ID =
  'SELECT "Engagement"."id" AS "Engagement_id", "Engagement"."title" AS "Engagement_title", "Engagement"."vendor_id" AS "Engagement_vendor_id", "Engagement"."contract_ref" AS "Engagement_contract_ref", "Engagement"."status" AS "Engagement_status", "Engagement"."product_owner_id" AS "Engagement_product_owner_id", "Engagement"."spec_problem" AS "Engagement_spec_problem", "Engagement"."spec_success_metrics" AS "Engagement_spec_success_metrics", "Engagement"."spec_constraints" AS "Engagement_spec_constraints", "Engagement"."spec_trade_off_owner_id" AS "Engagement_spec_trade_off_owner_id", "Engagement"."spec_trade_off_rule" AS "Engagement_spec_trade_off_rule", "Engagement"."start_date" AS "Engagement_start_date", "Engagement"."contract_end_date" AS "Engagement_contract_end_date", "Engagement"."notice_period_days" AS "Engagement_notice_period_days", "Engagement"."activated_at" AS "Engagement_activated_at", "Engagement"."completed_at" AS "Engagement_completed_at", "Engagement"."cancelled_at" AS "Engagement_cancelled_at", "Engagement"."cancel_reason" AS "Engagement_cancel_reason", "Engagement"."created_at" AS "Engagement_created_at", "Engagement"."updated_at" AS "Engagement_updated_at", "Engagement"."version" AS "Engagement_version" FROM "engagements" "Engagement" WHERE (("Engagement"."id" = $1)) LIMIT 1';

export const RECIPIENTS_OF =
  'SELECT "EngagementKnowledgeRecipient"."engagement_id" AS "EngagementKnowledgeRecipient_engagement_id", "EngagementKnowledgeRecipient"."person_id" AS "EngagementKnowledgeRecipient_person_id" FROM "engagement_knowledge_recipients" "EngagementKnowledgeRecipient" WHERE (("EngagementKnowledgeRecipient"."engagement_id" IN ($1))) ORDER BY "EngagementKnowledgeRecipient"."person_id" ASC';

export const RISK_FACTS = `
WITH target AS (SELECT id FROM engagements WHERE id = ANY($1::uuid[])),
final_handover AS (
  SELECT m.engagement_id, m.id, m.due_date, m.baseline_due_date, m.completed_on
    FROM milestones m JOIN target t ON t.id = m.engagement_id
   WHERE m.kind = 'final_handover'),
slips AS (
  SELECT f.engagement_id, count(*)::int AS slip_count
    FROM milestone_date_changes c JOIN final_handover f ON f.id = c.milestone_id
   WHERE c.to_date > c.from_date
   GROUP BY f.engagement_id),
open_milestones AS (
  SELECT m.engagement_id, jsonb_agg(jsonb_build_object('id', m.id, 'dueDate', m.due_date) ORDER BY m.due_date, m.id) AS items
    FROM milestones m JOIN target t ON t.id = m.engagement_id
   WHERE m.kind <> 'final_handover' AND m.completed_on IS NULL
   GROUP BY m.engagement_id),
artifact_counts AS (
  SELECT a.engagement_id,
         count(*)::int AS total,
         count(*) FILTER (WHERE a.status = 'accepted')::int AS accepted,
         count(*) FILTER (WHERE a.status = 'rejected')::int AS rejected
    FROM artifacts a JOIN target t ON t.id = a.engagement_id
   GROUP BY a.engagement_id),
unaccepted AS (
  SELECT grouped.engagement_id,
         jsonb_agg(jsonb_build_object('dueDate', grouped.due_date, 'count', grouped.n) ORDER BY grouped.due_date) AS items
    FROM (SELECT a.engagement_id, m.due_date, count(*)::int AS n
            FROM artifacts a
            JOIN target t ON t.id = a.engagement_id
            JOIN milestones m ON m.id = a.milestone_id
           WHERE a.status <> 'accepted'
           GROUP BY a.engagement_id, m.due_date) grouped
   GROUP BY grouped.engagement_id),
recipients AS (
  SELECT r.engagement_id, count(*)::int AS total
    FROM engagement_knowledge_recipients r JOIN target t ON t.id = r.engagement_id
   GROUP BY r.engagement_id)
SELECT e.id,
       e.created_at,
       e.status,
       CASE WHEN e.contract_end_date IS NULL THEN NULL
            ELSE (e.contract_end_date - e.notice_period_days)::date END AS last_safe_handover_date,
       f.due_date AS final_due_date,
       f.baseline_due_date AS final_baseline_due_date,
       f.completed_on AS final_completed_on,
       COALESCE(s.slip_count, 0) AS final_slip_count,
       COALESCE(o.items, '[]'::jsonb) AS open_milestones,
       COALESCE(u.items, '[]'::jsonb) AS unaccepted_by_due_date,
       COALESCE(ac.total, 0) AS artifact_count,
       COALESCE(ac.accepted, 0) AS accepted_count,
       COALESCE(ac.rejected, 0) AS rejected_count,
       COALESCE(r.total, 0) AS recipient_count
  FROM engagements e
  JOIN target t ON t.id = e.id
  LEFT JOIN final_handover f ON f.engagement_id = e.id
  LEFT JOIN slips s ON s.engagement_id = e.id
  LEFT JOIN open_milestones o ON o.engagement_id = e.id
  LEFT JOIN artifact_counts ac ON ac.engagement_id = e.id
  LEFT JOIN unaccepted u ON u.engagement_id = e.id
  LEFT JOIN recipients r ON r.engagement_id = e.id`;

/** The statements of one request, in order, when the key's `last_used_at` is fresh. */
export const REQUEST_STATEMENTS = [API_KEYS_BY_PREFIX, ENGAGEMENT_BY_ID, RECIPIENTS_OF, RISK_FACTS];
