import { randomBytes } from 'node:crypto';
import type request from 'supertest';
import { addDays, todayUtc } from '../src/common/dates.js';
import { bearer, type TestApp } from './test-app.js';

/**
 * Factories for the e2e tests. Each goes through the HTTP API, like a client would, and fails
 * the test with the response body when the API does not answer 201. The supporting vendors
 * and people an engagement needs are created with the admin key; the entity itself with `key`.
 */

export interface VendorBody {
  id: string;
  name: string;
  contactEmail: string | null;
  website: string | null;
  notes: string | null;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export interface PersonBody {
  id: string;
  name: string;
  email: string;
  team: string | null;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export interface SuccessMetricBody {
  name: string;
  target: string;
  measurement?: string;
}

export interface SpecBody {
  problem: string;
  successMetrics: SuccessMetricBody[];
  constraints: string[];
  tradeOffOwnerId: string;
  tradeOffRule: string | null;
}

export interface EngagementBody {
  id: string;
  title: string;
  vendorId: string;
  contractRef: string | null;
  status: 'draft' | 'active' | 'completed' | 'cancelled';
  productOwnerId: string;
  spec: SpecBody;
  knowledgeRecipientIds: string[];
  startDate: string | null;
  contractEndDate: string | null;
  noticePeriodDays: number;
  criticality: 'standard' | 'important' | 'critical';
  minIndependentOperators: number;
  independentOperatorIds: string[];
  lastSafeHandoverDate: string | null;
  activatedAt: string | null;
  completedAt: string | null;
  cancelledAt: string | null;
  cancelReason: string | null;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export interface MilestoneBody {
  id: string;
  engagementId: string;
  name: string;
  kind: 'delivery' | 'handover' | 'final_handover';
  dueDate: string;
  baselineDueDate: string | null;
  completedOn: string | null;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export interface ArtifactBody {
  id: string;
  engagementId: string;
  milestoneId: string;
  kind: string;
  title: string;
  description: string | null;
  status: 'required' | 'delivered' | 'accepted' | 'rejected';
  evidenceUrl: string | null;
  deliveredAt: string | null;
  acceptedAt: string | null;
  acceptedById: string | null;
  rejectionReason: string | null;
  createdAt: string;
  updatedAt: string;
  version: number;
}

/** Fields of POST /v1/engagements to override; `spec` is merged into the valid default spec. */
export type EngagementOverrides = Record<string, unknown> & { spec?: Record<string, unknown> };

/** A suffix no other call uses, for names and emails that must be unique. */
export const uniqueSuffix = (): string => randomBytes(4).toString('hex');

/** Today (UTC) moved by `days`, as YYYY-MM-DD. */
export const daysFromToday = (days: number): string => addDays(todayUtc(), days);

/** A spec that passes every rule: specific problem, measurable metric, hard constraint. */
export function validSpec(tradeOffOwnerId: string): SpecBody {
  return {
    problem:
      'Accounts payable keys 4,000 supplier invoices a month by hand; errors delay payments by 6 days.',
    successMetrics: [
      {
        name: 'Invoice fields extracted correctly',
        target: '≥ 97 % on the audit sample',
        measurement: 'Weekly sample of 200 invoices checked by AP clerks',
      },
    ],
    constraints: ['Invoices never leave the EU'],
    tradeOffOwnerId,
    tradeOffRule: 'Accuracy over latency.',
  };
}

function expectCreated<T>(response: request.Response, what: string): T {
  if (response.status !== 201) {
    throw new Error(
      `Creating ${what} answered ${response.status}: ${JSON.stringify(response.body)}`,
    );
  }
  return response.body as T;
}

export async function newVendor(
  t: TestApp,
  key: string = t.adminKey,
  overrides: Record<string, unknown> = {},
): Promise<VendorBody> {
  const response = await t
    .http()
    .post('/v1/vendors')
    .set(bearer(key))
    .send({ name: `Vendor ${uniqueSuffix()}`, ...overrides });
  return expectCreated(response, 'a vendor');
}

export async function newPerson(
  t: TestApp,
  key: string = t.adminKey,
  overrides: Record<string, unknown> = {},
): Promise<PersonBody> {
  const suffix = uniqueSuffix();
  const response = await t
    .http()
    .post('/v1/people')
    .set(bearer(key))
    .send({ name: `Person ${suffix}`, email: `person-${suffix}@example.com`, ...overrides });
  return expectCreated(response, 'a person');
}

/**
 * A draft engagement with a valid spec. A vendor, product owner and trade-off owner are created
 * (with the admin key) unless `overrides` names them; `overrides.spec` is merged into the spec.
 */
export async function newEngagement(
  t: TestApp,
  key: string = t.adminKey,
  overrides: EngagementOverrides = {},
): Promise<EngagementBody> {
  const { spec: specOverrides, ...fields } = overrides;
  const vendorId = (fields.vendorId as string | undefined) ?? (await newVendor(t)).id;
  const productOwnerId = (fields.productOwnerId as string | undefined) ?? (await newPerson(t)).id;
  const tradeOffOwnerId =
    (specOverrides?.tradeOffOwnerId as string | undefined) ?? (await newPerson(t)).id;
  const response = await t
    .http()
    .post('/v1/engagements')
    .set(bearer(key))
    .send({
      title: `Invoice extraction ${uniqueSuffix()}`,
      ...fields,
      vendorId,
      productOwnerId,
      spec: { ...validSpec(tradeOffOwnerId), ...specOverrides },
    });
  return expectCreated(response, 'an engagement');
}

/** A milestone of the engagement: a `delivery` due in 30 days unless overridden. */
export async function newMilestone(
  t: TestApp,
  key: string,
  engagementId: string,
  overrides: Record<string, unknown> = {},
): Promise<MilestoneBody> {
  const response = await t
    .http()
    .post(`/v1/engagements/${engagementId}/milestones`)
    .set(bearer(key))
    .send({
      name: `Milestone ${uniqueSuffix()}`,
      kind: 'delivery',
      dueDate: daysFromToday(30),
      ...overrides,
    });
  return expectCreated(response, 'a milestone');
}

/** A `runbook` artifact of the engagement, due with the milestone. */
export async function newArtifact(
  t: TestApp,
  key: string,
  engagementId: string,
  milestoneId: string,
  overrides: Record<string, unknown> = {},
): Promise<ArtifactBody> {
  const response = await t
    .http()
    .post(`/v1/engagements/${engagementId}/artifacts`)
    .set(bearer(key))
    .send({ milestoneId, kind: 'runbook', title: `Runbook ${uniqueSuffix()}`, ...overrides });
  return expectCreated(response, 'an artifact');
}

export interface ReadyToActivate {
  engagementId: string;
  vendorId: string;
  productOwnerId: string;
  tradeOffOwnerId: string;
  knowledgeRecipientId: string;
  finalHandoverId: string;
  artifactId: string;
  /** The engagement as created (draft, version 1). */
  engagement: EngagementBody;
  finalHandover: MilestoneBody;
  artifact: ArtifactBody;
}

/**
 * A draft engagement that meets every activation precondition: one knowledge recipient, a
 * `final_handover` milestone due in 60 days and one artifact due with it.
 */
export async function readyToActivate(
  t: TestApp,
  key: string = t.adminKey,
  overrides: EngagementOverrides = {},
): Promise<ReadyToActivate> {
  const recipient = await newPerson(t);
  const engagement = await newEngagement(t, key, {
    knowledgeRecipientIds: [recipient.id],
    ...overrides,
  });
  const finalHandover = await newMilestone(t, key, engagement.id, {
    name: 'Final handover',
    kind: 'final_handover',
    dueDate: daysFromToday(60),
  });
  const artifact = await newArtifact(t, key, engagement.id, finalHandover.id);
  return {
    engagementId: engagement.id,
    vendorId: engagement.vendorId,
    productOwnerId: engagement.productOwnerId,
    tradeOffOwnerId: engagement.spec.tradeOffOwnerId,
    knowledgeRecipientId: engagement.knowledgeRecipientIds[0] ?? recipient.id,
    finalHandoverId: finalHandover.id,
    artifactId: artifact.id,
    engagement,
    finalHandover,
    artifact,
  };
}

export interface AuditEventBody {
  id: string;
  at: string;
  actor: { apiKeyId: string | null; name: string; role: string };
  action: string;
  entityType: string;
  entityId: string;
  changes: Record<string, { from: unknown; to: unknown }>;
}

/** The audit events of one entity, oldest first. */
export async function auditEventsOf(
  t: TestApp,
  entityType: string,
  entityId: string,
): Promise<AuditEventBody[]> {
  const response = await t
    .http()
    .get('/v1/audit-events')
    .query({ entityType, entityId, limit: 200 })
    .set(bearer(t.adminKey));
  if (response.status !== 200) {
    throw new Error(
      `Listing audit events answered ${response.status}: ${JSON.stringify(response.body)}`,
    );
  }
  return [...(response.body.items as AuditEventBody[])].reverse();
}

/** POSTs an action and fails the test unless it answers 200; returns the body. */
export async function act<T = Record<string, unknown>>(
  t: TestApp,
  path: string,
  body: object = {},
  key: string = t.adminKey,
): Promise<T> {
  const response = await t.http().post(path).set(bearer(key)).send(body);
  if (response.status !== 200) {
    throw new Error(`POST ${path} answered ${response.status}: ${JSON.stringify(response.body)}`);
  }
  return response.body as T;
}

/**
 * An engagement of `readyToActivate` brought to `status`: `active` (activated), `completed`
 * (its artifact delivered and accepted, the final handover completed, then completed) or
 * `cancelled` (activated, then cancelled).
 */
export async function newEngagementIn(
  t: TestApp,
  status: 'active' | 'completed' | 'cancelled',
  key: string = t.adminKey,
): Promise<ReadyToActivate & { engagement: EngagementBody }> {
  const ready = await readyToActivate(t, key);
  const base = `/v1/engagements/${ready.engagementId}`;
  let engagement = await act<EngagementBody>(t, `${base}/activate`, {}, key);
  if (status === 'completed') {
    await act(t, `${base}/artifacts/${ready.artifactId}/deliver`, {
      evidenceUrl: 'https://wiki.example.com/runbook',
    });
    await act(t, `${base}/artifacts/${ready.artifactId}/accept`, {
      acceptedById: ready.productOwnerId,
    });
    await act(t, `${base}/milestones/${ready.finalHandoverId}/complete`, {}, key);
    engagement = await act<EngagementBody>(t, `${base}/complete`, {}, key);
  } else if (status === 'cancelled') {
    engagement = await act<EngagementBody>(
      t,
      `${base}/cancel`,
      { reason: 'Budget withdrawn' },
      key,
    );
  }
  return { ...ready, engagement };
}

/** What `draftEngagement` builds: the defaults give an engagement that carries no risk once active. */
export interface EngagementPlan {
  vendorId?: string;
  /** Days from today to the final handover's due date (default 60). */
  finalDueIn?: number;
  /** How many knowledge recipients (default 2: no bus factor of one). */
  recipients?: number;
  /** How many artifacts due with the final handover (default 1). */
  artifacts?: number;
  /** Further engagement fields (contractEndDate, noticePeriodDays, …). */
  fields?: Record<string, unknown>;
}

export interface PlannedEngagement {
  engagement: EngagementBody;
  finalHandover: MilestoneBody;
  finalDue: string;
  artifacts: ArtifactBody[];
}

/** A draft engagement with a final handover and its artifacts, ready to activate. */
export async function draftEngagement(
  t: TestApp,
  plan: EngagementPlan = {},
): Promise<PlannedEngagement> {
  const recipients = [];
  for (let i = 0; i < (plan.recipients ?? 2); i++) recipients.push((await newPerson(t)).id);
  const engagement = await newEngagement(t, t.adminKey, {
    ...(plan.vendorId ? { vendorId: plan.vendorId } : {}),
    knowledgeRecipientIds: recipients,
    ...plan.fields,
  });
  const finalDue = daysFromToday(plan.finalDueIn ?? 60);
  const finalHandover = await newMilestone(t, t.adminKey, engagement.id, {
    name: 'Final handover',
    kind: 'final_handover',
    dueDate: finalDue,
  });
  const artifacts = [];
  for (let i = 0; i < (plan.artifacts ?? 1); i++) {
    artifacts.push(await newArtifact(t, t.adminKey, engagement.id, finalHandover.id));
  }
  return { engagement, finalHandover, finalDue, artifacts };
}

/** An activated engagement (see `draftEngagement`). */
export async function activeEngagement(
  t: TestApp,
  plan: EngagementPlan = {},
): Promise<PlannedEngagement> {
  const built = await draftEngagement(t, plan);
  const engagement = await act<EngagementBody>(
    t,
    `/v1/engagements/${built.engagement.id}/activate`,
  );
  return { ...built, engagement };
}

/**
 * Makes the engagement's first two knowledge recipients independent operators (SPEC §8): a
 * drill they pass together without vendor help on `performedOn` (default today, UTC), observed
 * by the product owner. Two operators keep CAPABILITY_UNPROVEN away for OPERATOR_EVIDENCE_DAYS,
 * so that a test can judge another signal alone. Returns the recorded drill.
 */
export async function proveCapability(
  t: TestApp,
  engagement: Pick<EngagementBody, 'id' | 'productOwnerId' | 'knowledgeRecipientIds'>,
  performedOn: string = todayUtc(),
): Promise<Record<string, unknown>> {
  const participantIds = engagement.knowledgeRecipientIds.slice(0, 2);
  if (participantIds.length < 2) {
    throw new Error(`proveCapability needs two knowledge recipients, not ${participantIds.length}`);
  }
  const base = `/v1/engagements/${engagement.id}/drills`;
  const created = await t.http().post(base).set(bearer(t.adminKey)).send({
    kind: 'restore',
    title: 'Restore the extraction database without the vendor',
    scenario: 'The primary database is lost; restore it from the nightly backup unaided.',
    participantIds,
  });
  const drill = expectCreated<{ id: string }>(created, 'a drill');
  return act(t, `${base}/${drill.id}/record`, {
    outcome: 'passed',
    performedOn,
    vendorAssistance: 'none',
    evidenceUrl: 'https://wiki.example.com/drills/restore',
    observedById: engagement.productOwnerId,
  });
}
