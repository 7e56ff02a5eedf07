/**
 * The bare baseline's own SQL for `GET /v1/engagements/{id}`: the fewest and smallest
 * statements that can answer the request honestly, each a named prepared statement (planned
 * once per connection, then only bound and executed):
 * - `KEY_BY_PREFIX`: the API key candidates of the presented secret's prefix, with only the
 *   columns authentication needs; the secret's hash is compared in Node with the API's own
 *   pure function (`secretMatches`), as the API must (a revoked key must stop working at once,
 *   so the key cannot be cached).
 * - `TOUCH_KEY`: refreshes `last_used_at` when it is over a minute old, as the API does (about
 *   once a minute per key, not per request).
 * - `ENGAGEMENT_RESPONSE`: one round trip reading the engagement, its knowledge recipients
 *   and its stored risk facts row, all by primary key.
 *
 * This is deliberately not a copy of the API's statements: it is the target the API's cost is
 * measured against.
 */

export interface Statement {
  name: string;
  text: string;
}

export const KEY_BY_PREFIX: Statement = {
  name: 'baseline_key_by_prefix',
  text: 'SELECT id, role, secret_hash, last_used_at, revoked_at, expires_at FROM api_keys WHERE prefix = $1',
};

export const TOUCH_KEY: Statement = {
  name: 'baseline_touch_key',
  text: 'UPDATE api_keys SET last_used_at = $1 WHERE id = $2',
};

export const ENGAGEMENT_RESPONSE: Statement = {
  name: 'baseline_engagement_response',
  text: `SELECT e.id, e.title, e.vendor_id, e.contract_ref, e.status, e.product_owner_id,
       e.spec_problem, e.spec_success_metrics, e.spec_constraints, e.spec_trade_off_owner_id,
       e.spec_trade_off_rule, e.start_date, e.contract_end_date, e.notice_period_days,
       e.activated_at, e.completed_at, e.cancelled_at, e.cancel_reason, e.created_at,
       e.updated_at, e.version,
       ARRAY(SELECT r.person_id FROM engagement_knowledge_recipients r
              WHERE r.engagement_id = e.id ORDER BY r.person_id) AS recipient_ids,
       f.engagement_id AS facts_engagement_id, f.status AS facts_status,
       f.last_safe_handover_date, f.final_due_date, f.final_baseline_due_date,
       f.final_completed_on, f.final_slip_count, f.open_milestones, f.unaccepted_by_due_date,
       f.artifact_count, f.accepted_count, f.rejected_count, f.recipient_count
  FROM engagements e
  LEFT JOIN engagement_risk_facts f ON f.engagement_id = e.id
 WHERE e.id = $1`,
};
