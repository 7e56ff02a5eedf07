import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { bearer, createTestApp, expectProblem, type TestApp } from './test-app.js';

/**
 * SPEC §4 as a table: every /v1 operation of openapi.json × every role. An allowed role gets
 * the operation's success status on a request built to succeed (a fresh fixture for every
 * change); any other role gets 403 problem+json and nothing is written.
 */

type Role = 'admin' | 'procurement' | 'product_owner' | 'integration' | 'reporter' | 'viewer';
type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

const ROLES: readonly Role[] = [
  'admin',
  'procurement',
  'product_owner',
  'integration',
  'reporter',
  'viewer',
];

// The role sets of SPEC §4, written out here rather than imported from src/.
const READERS: readonly Role[] = ['admin', 'procurement', 'product_owner', 'integration', 'viewer'];
const AUDIT_READERS: readonly Role[] = [
  'admin',
  'procurement',
  'product_owner',
  'integration',
  'viewer',
];
const DIRECTORY_EDITORS: readonly Role[] = ['admin', 'procurement'];
const ENGAGEMENT_CREATORS: readonly Role[] = ['admin', 'procurement', 'integration'];
const ENGAGEMENT_EDITORS: readonly Role[] = ['admin', 'procurement', 'product_owner'];
const DELIVERERS: readonly Role[] = ['admin', 'procurement', 'product_owner', 'integration'];
const ACCEPTORS: readonly Role[] = ['admin', 'product_owner'];
const KEY_MANAGERS: readonly Role[] = ['admin'];
const WEBHOOK_MANAGERS: readonly Role[] = ['admin', 'integration'];
// SPEC §10: create/record drills, edit exit plan and criticality.
const DRILL_RECORDERS: readonly Role[] = ['admin', 'procurement', 'product_owner'];
// SPEC §9/§10: plan and complete learning sprints, like the other changes to an engagement.
const SPRINT_PLANNERS: readonly Role[] = ['admin', 'procurement', 'product_owner'];
// SPEC §10: bulk import, like creating engagements one by one; export, like reading them (a
// product owner exports its own engagements only, checked below).
const IMPORTERS: readonly Role[] = ['admin', 'procurement', 'integration'];
const EXPORTERS: readonly Role[] = [
  'admin',
  'procurement',
  'product_owner',
  'integration',
  'viewer',
];

interface Entity {
  id: string;
  [field: string]: unknown;
}

/** A concrete request: the path with its ids filled in, and the body. */
interface Call {
  path: string;
  body?: object;
}

interface Endpoint {
  method: Method;
  /** The path as openapi.json spells it. */
  path: string;
  allowed: readonly Role[];
  /** What an allowed call answers. */
  success: number;
  /** Whether the operation changes state (then `prepare` builds a fresh fixture per case). */
  changes: boolean;
  /**
   * Everything the call needs, built with the admin key; `productOwnerId` is the product owner
   * of the engagement the call acts on (for the engagement-scoped operations).
   */
  prepare: (productOwnerId: string) => Promise<Call>;
}

/**
 * Cases that expose a bug in src/ are listed here and run as `it.failing`, so that the suite
 * passes today and tells when the bug is fixed. Keys: `METHOD path role` for the matrix,
 * `METHOD path product_owner of another engagement` for the ownership cases. None known.
 */
const KNOWN_BUGS: Record<string, string> = {};

const unique = () => randomBytes(4).toString('hex');

const EXIT_PLAN = {
  strategy: 'insource',
  summary: 'The Data Platform team takes over operations with the vendor runbooks.',
  triggers: ['The vendor misses two handover dates'],
};

/** The ISO date `days` from today (UTC). */
const inDays = (days: number) =>
  new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

const openapi = JSON.parse(readFileSync(new URL('../openapi.json', import.meta.url), 'utf8')) as {
  paths: Record<string, Record<string, unknown>>;
};
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** Every /v1 operation openapi.json documents, as `METHOD path`. */
const documentedOperations = Object.entries(openapi.paths)
  .filter(([path]) => path === '/v1' || path.startsWith('/v1/'))
  .flatMap(([path, item]) =>
    Object.keys(item)
      .filter((method) => HTTP_METHODS.includes(method))
      .map((method) => `${method.toUpperCase()} ${path}`),
  )
  .sort();

describe('role matrix (SPEC §4)', () => {
  let t: TestApp;
  const keys = {} as Record<Role, string>;
  /** Shared, never changed by the matrix: the directory and a populated engagement to read. */
  let vendor: Entity;
  let owner: Entity;
  let tradeOffOwner: Entity;
  let recipient: Entity;
  let readable: Plan;
  /** A drill of `readable`, for the reads. */
  let readableDrill: Entity;
  /** A completed learning sprint of `readable`, for the reads (sprints, path, playbook). */
  let readableSprint: Entity;

  // ---------------------------------------------------------------- helpers

  const send = (key: string, method: Method, path: string, body?: object) => {
    const test = t
      .http()
      [method.toLowerCase() as 'get' | 'post' | 'patch' | 'delete'](path)
      .set(bearer(key));
    return body === undefined ? test : test.send(body);
  };

  /** A setup call with the admin key that must answer `status`. */
  async function admin(method: Method, path: string, body: object | undefined, status: number) {
    const response = await send(t.adminKey, method, path, body);
    if (response.status !== status) {
      throw new Error(
        `setup ${method} ${path} answered ${response.status} (expected ${status}): ${JSON.stringify(response.body)}`,
      );
    }
    return response.body as Entity;
  }

  const auditEventCount = async (): Promise<number> => {
    const [{ count }] = await t.dataSource.query('SELECT count(*)::int AS count FROM audit_events');
    return count;
  };

  /** An endpoint owned by the matrix's integration key. */
  async function integrationEndpoint(): Promise<Entity> {
    const endpoint = await admin(
      'POST',
      '/v1/webhook-endpoints',
      { url: 'https://hooks.example.com/handover', eventTypes: ['report.created'] },
      201,
    );
    await t.dataSource.query(
      `UPDATE webhook_endpoints SET owner_api_key_id =
         (SELECT id FROM api_keys WHERE role = 'integration' ORDER BY created_at LIMIT 1)
       WHERE id = $1`,
      [endpoint.id],
    );
    return endpoint;
  }

  const createVendor = () => admin('POST', '/v1/vendors', { name: `Vendor ${unique()}` }, 201);

  const createPerson = (name: string) =>
    admin(
      'POST',
      '/v1/people',
      { name, email: `${name.toLowerCase().replace(/\W+/g, '.')}.${unique()}@example.com` },
      201,
    );

  const engagementBody = (productOwnerId: string) => ({
    title: `Engagement ${unique()}`,
    vendorId: vendor.id,
    productOwnerId,
    spec: {
      problem: 'Accounts payable keys 4,000 supplier invoices a month by hand.',
      successMetrics: [
        { name: 'Fields extracted correctly', target: '≥ 97 % on the audit sample' },
      ],
      constraints: ['Invoices never leave the EU'],
      tradeOffOwnerId: tradeOffOwner.id,
    },
  });

  const createDraft = async (productOwnerId: string) => {
    const engagement = await admin('POST', '/v1/engagements', engagementBody(productOwnerId), 201);
    return admin(
      'PATCH',
      `/v1/engagements/${engagement.id}`,
      { knowledgeRecipientIds: [recipient.id] },
      200,
    );
  };

  const addMilestone = (
    engagementId: string,
    kind: 'final_handover' | 'delivery' | 'handover' = 'delivery',
  ) =>
    admin(
      'POST',
      `/v1/engagements/${engagementId}/milestones`,
      {
        name: `${kind} ${unique()}`,
        kind,
        dueDate: inDays(kind === 'final_handover' ? 120 : 60),
      },
      201,
    );

  const addArtifact = (engagementId: string, milestoneId: string) =>
    admin(
      'POST',
      `/v1/engagements/${engagementId}/artifacts`,
      { milestoneId, kind: 'runbook', title: `Runbook ${unique()}` },
      201,
    );

  const activate = (engagementId: string) =>
    admin('POST', `/v1/engagements/${engagementId}/activate`, undefined, 200);

  const deliver = (plan: Plan) =>
    admin(
      'POST',
      `/v1/engagements/${plan.engagement.id}/artifacts/${plan.artifact.id}/deliver`,
      { evidenceUrl: 'https://docs.example.com/runbook' },
      200,
    );

  const accept = (plan: Plan, acceptedById: string) =>
    admin(
      'POST',
      `/v1/engagements/${plan.engagement.id}/artifacts/${plan.artifact.id}/accept`,
      { acceptedById },
      200,
    );

  const completeMilestone = (engagementId: string, milestoneId: string) =>
    admin('POST', `/v1/engagements/${engagementId}/milestones/${milestoneId}/complete`, {}, 200);

  interface Plan {
    engagement: Entity;
    finalHandover: Entity;
    artifact: Entity;
  }

  /** A draft that may be activated: recipient, final handover milestone, one artifact. */
  async function readyDraft(productOwnerId: string): Promise<Plan> {
    const engagement = await createDraft(productOwnerId);
    const finalHandover = await addMilestone(engagement.id, 'final_handover');
    const artifact = await addArtifact(engagement.id, finalHandover.id);
    return { engagement, finalHandover, artifact };
  }

  async function activeEngagement(productOwnerId: string): Promise<Plan> {
    const plan = await readyDraft(productOwnerId);
    await activate(plan.engagement.id);
    return plan;
  }

  /** An active engagement that may be completed: artifact accepted, final handover done. */
  async function completableEngagement(productOwnerId: string): Promise<Plan> {
    const plan = await activeEngagement(productOwnerId);
    await deliver(plan);
    await accept(plan, productOwnerId);
    await completeMilestone(plan.engagement.id, plan.finalHandover.id);
    return plan;
  }

  async function deliveredArtifact(productOwnerId: string): Promise<Plan> {
    const plan = await readyDraft(productOwnerId);
    await deliver(plan);
    return plan;
  }

  const engagementPath = (plan: Plan) => `/v1/engagements/${plan.engagement.id}`;

  const drillBody = () => ({
    kind: 'restore',
    title: `Restore drill ${unique()}`,
    scenario: 'The primary database is lost; restore it from the nightly backup.',
    participantIds: [recipient.id],
  });

  /** A planned drill of a fresh draft owned by `productOwnerId`. */
  async function plannedDrill(productOwnerId: string): Promise<{ path: string }> {
    const engagement = await createDraft(productOwnerId);
    const drill = await admin('POST', `/v1/engagements/${engagement.id}/drills`, drillBody(), 201);
    return { path: `/v1/engagements/${engagement.id}/drills/${drill.id}` };
  }
  /** A sprint body towards `milestoneId`, with a mentor of its own and `recipient` learning. */
  const sprintBody = async (milestoneId: string) => ({
    goal: `Operate the pipeline without the vendor ${unique()}`,
    milestoneId,
    mentorId: (await createPerson('Mina Mentor')).id,
    learnerIds: [recipient.id],
    startsOn: inDays(0),
    endsOn: inDays(28),
  });

  const sprintCompletion = {
    outcome: 'shipped',
    evidenceUrl: 'https://git.example.com/finance/extraction/pull/42',
    lessons: 'The deploy script assumes a warm cache, so run it twice.',
  };

  /** A planned learning sprint of a fresh draft owned by `productOwnerId`. */
  async function plannedSprint(productOwnerId: string): Promise<{ path: string }> {
    const engagement = await createDraft(productOwnerId);
    const milestone = await addMilestone(engagement.id, 'final_handover');
    const sprint = await admin(
      'POST',
      `/v1/engagements/${engagement.id}/learning-sprints`,
      await sprintBody(milestone.id),
      201,
    );
    return { path: `/v1/engagements/${engagement.id}/learning-sprints/${sprint.id}` };
  }

  /**
   * An import row (SPEC §10) naming its vendor and people by natural key, with a final handover:
   * everything it refers to exists, so an allowed import creates it.
   */
  const importRow = () => ({
    title: `Imported ${unique()}`,
    vendorName: vendor.name,
    contractRef: `PO-IMPORT-${unique()}`,
    productOwnerEmail: owner.email,
    spec: {
      problem: 'Accounts payable keys 4,000 supplier invoices a month by hand.',
      successMetrics: [
        { name: 'Fields extracted correctly', target: '≥ 97 % on the audit sample' },
      ],
      constraints: ['Invoices never leave the EU'],
      tradeOffOwnerEmail: tradeOffOwner.email,
    },
    knowledgeRecipientEmails: [recipient.email],
    finalHandoverDate: inDays(120),
  });

  /** This week's report, generated with the admin key when missing. */
  const currentReport = async (): Promise<{ id: string; week: string }> =>
    (await send(t.adminKey, 'POST', '/v1/reports/weekly', {})).body;
  const milestonePath = (plan: Plan) =>
    `${engagementPath(plan)}/milestones/${plan.finalHandover.id}`;
  const artifactPath = (plan: Plan) => `${engagementPath(plan)}/artifacts/${plan.artifact.id}`;

  // ---------------------------------------------------------------- the table

  const ENDPOINTS: Endpoint[] = [
    // API keys
    {
      method: 'POST',
      path: '/v1/api-keys',
      allowed: KEY_MANAGERS,
      success: 201,
      changes: true,
      prepare: async () => ({
        path: '/v1/api-keys',
        body: { name: `Matrix key ${unique()}`, role: 'viewer' },
      }),
    },
    {
      method: 'GET',
      path: '/v1/api-keys',
      allowed: KEY_MANAGERS,
      success: 200,
      changes: false,
      prepare: async () => ({ path: '/v1/api-keys' }),
    },
    {
      method: 'DELETE',
      path: '/v1/api-keys/{id}',
      allowed: KEY_MANAGERS,
      success: 204,
      changes: true,
      prepare: async () => {
        const key = await admin(
          'POST',
          '/v1/api-keys',
          { name: `Doomed ${unique()}`, role: 'viewer' },
          201,
        );
        return { path: `/v1/api-keys/${key.id}` };
      },
    },
    // Audit events
    {
      method: 'GET',
      path: '/v1/audit-events',
      allowed: AUDIT_READERS,
      success: 200,
      changes: false,
      prepare: async () => ({ path: '/v1/audit-events' }),
    },
    // Vendors
    {
      method: 'POST',
      path: '/v1/vendors',
      allowed: DIRECTORY_EDITORS,
      success: 201,
      changes: true,
      prepare: async () => ({ path: '/v1/vendors', body: { name: `Vendor ${unique()}` } }),
    },
    {
      method: 'GET',
      path: '/v1/vendors',
      allowed: READERS,
      success: 200,
      changes: false,
      prepare: async () => ({ path: '/v1/vendors' }),
    },
    {
      method: 'GET',
      path: '/v1/vendors/{id}',
      allowed: READERS,
      success: 200,
      changes: false,
      prepare: async () => ({ path: `/v1/vendors/${vendor.id}` }),
    },
    {
      method: 'PATCH',
      path: '/v1/vendors/{id}',
      allowed: DIRECTORY_EDITORS,
      success: 200,
      changes: true,
      prepare: async () => ({
        path: `/v1/vendors/${(await createVendor()).id}`,
        body: { notes: 'Preferred supplier for document AI' },
      }),
    },
    {
      method: 'DELETE',
      path: '/v1/vendors/{id}',
      allowed: DIRECTORY_EDITORS,
      success: 204,
      changes: true,
      prepare: async () => ({ path: `/v1/vendors/${(await createVendor()).id}` }),
    },
    // People
    {
      method: 'POST',
      path: '/v1/people',
      allowed: DIRECTORY_EDITORS,
      success: 201,
      changes: true,
      prepare: async () => ({
        path: '/v1/people',
        body: { name: 'Noor Haddad', email: `noor.${unique()}@example.com` },
      }),
    },
    {
      method: 'GET',
      path: '/v1/people',
      allowed: READERS,
      success: 200,
      changes: false,
      prepare: async () => ({ path: '/v1/people' }),
    },
    {
      method: 'GET',
      path: '/v1/people/{id}',
      allowed: READERS,
      success: 200,
      changes: false,
      prepare: async () => ({ path: `/v1/people/${owner.id}` }),
    },
    {
      method: 'PATCH',
      path: '/v1/people/{id}',
      allowed: DIRECTORY_EDITORS,
      success: 200,
      changes: true,
      prepare: async () => ({
        path: `/v1/people/${(await createPerson('Jonas Weber')).id}`,
        body: { team: 'Platform' },
      }),
    },
    // Engagements
    {
      method: 'POST',
      path: '/v1/engagements',
      allowed: ENGAGEMENT_CREATORS,
      success: 201,
      changes: true,
      prepare: async (productOwnerId) => ({
        path: '/v1/engagements',
        body: engagementBody(productOwnerId),
      }),
    },
    {
      method: 'GET',
      path: '/v1/engagements',
      allowed: READERS,
      success: 200,
      changes: false,
      prepare: async () => ({ path: '/v1/engagements' }),
    },
    {
      method: 'GET',
      path: '/v1/engagements/{id}',
      allowed: READERS,
      success: 200,
      changes: false,
      prepare: async () => ({ path: engagementPath(readable) }),
    },
    {
      method: 'PATCH',
      path: '/v1/engagements/{id}',
      allowed: ENGAGEMENT_EDITORS,
      success: 200,
      changes: true,
      prepare: async (productOwnerId) => ({
        path: `/v1/engagements/${(await createDraft(productOwnerId)).id}`,
        // Criticality and the exit plan are edited by the same roles (SPEC §10).
        body: { title: `Renamed ${unique()}`, criticality: 'important', exitPlan: EXIT_PLAN },
      }),
    },
    {
      method: 'POST',
      path: '/v1/engagements/{id}/activate',
      allowed: ENGAGEMENT_EDITORS,
      success: 200,
      changes: true,
      prepare: async (productOwnerId) => ({
        path: `${engagementPath(await readyDraft(productOwnerId))}/activate`,
      }),
    },
    {
      method: 'POST',
      path: '/v1/engagements/{id}/complete',
      allowed: ENGAGEMENT_EDITORS,
      success: 200,
      changes: true,
      prepare: async (productOwnerId) => ({
        path: `${engagementPath(await completableEngagement(productOwnerId))}/complete`,
      }),
    },
    {
      method: 'POST',
      path: '/v1/engagements/{id}/cancel',
      allowed: ENGAGEMENT_EDITORS,
      success: 200,
      changes: true,
      prepare: async (productOwnerId) => ({
        path: `/v1/engagements/${(await createDraft(productOwnerId)).id}/cancel`,
        body: { reason: 'Budget withdrawn in the Q1 review' },
      }),
    },
    // Milestones
    {
      method: 'POST',
      path: '/v1/engagements/{id}/milestones',
      allowed: ENGAGEMENT_EDITORS,
      success: 201,
      changes: true,
      prepare: async (productOwnerId) => ({
        path: `/v1/engagements/${(await createDraft(productOwnerId)).id}/milestones`,
        body: { name: 'Pilot in production', kind: 'delivery', dueDate: inDays(45) },
      }),
    },
    {
      method: 'GET',
      path: '/v1/engagements/{id}/milestones',
      allowed: READERS,
      success: 200,
      changes: false,
      prepare: async () => ({ path: `${engagementPath(readable)}/milestones` }),
    },
    {
      method: 'GET',
      path: '/v1/engagements/{id}/milestones/{mid}',
      allowed: READERS,
      success: 200,
      changes: false,
      prepare: async () => ({ path: milestonePath(readable) }),
    },
    {
      method: 'PATCH',
      path: '/v1/engagements/{id}/milestones/{mid}',
      allowed: ENGAGEMENT_EDITORS,
      success: 200,
      changes: true,
      prepare: async (productOwnerId) => {
        const engagement = await createDraft(productOwnerId);
        const milestone = await addMilestone(engagement.id);
        return {
          path: `/v1/engagements/${engagement.id}/milestones/${milestone.id}`,
          body: { name: `Renamed ${unique()}`, dueDate: inDays(75) },
        };
      },
    },
    {
      method: 'POST',
      path: '/v1/engagements/{id}/milestones/{mid}/complete',
      allowed: ENGAGEMENT_EDITORS,
      success: 200,
      changes: true,
      prepare: async (productOwnerId) => {
        // An active engagement with a milestone that has no artifacts due.
        const plan = await activeEngagement(productOwnerId);
        const milestone = await addMilestone(plan.engagement.id);
        return { path: `${engagementPath(plan)}/milestones/${milestone.id}/complete`, body: {} };
      },
    },
    {
      method: 'GET',
      path: '/v1/engagements/{id}/milestones/{mid}/date-changes',
      allowed: READERS,
      success: 200,
      changes: false,
      prepare: async () => ({ path: `${milestonePath(readable)}/date-changes` }),
    },
    {
      method: 'GET',
      path: '/v1/engagements/{id}/risk',
      allowed: READERS,
      success: 200,
      changes: false,
      prepare: async () => ({ path: `${engagementPath(readable)}/risk` }),
    },
    {
      method: 'POST',
      path: '/v1/engagements/{id}/risk/acknowledge',
      allowed: ACCEPTORS,
      success: 200,
      changes: true,
      prepare: async (productOwnerId) => ({
        path: `/v1/engagements/${(await createDraft(productOwnerId)).id}/risk/acknowledge`,
        body: { note: 'Vendor adds a second engineer from Monday' },
      }),
    },
    {
      method: 'GET',
      path: '/v1/engagements/{id}/escalations',
      allowed: READERS,
      success: 200,
      changes: false,
      prepare: async () => ({ path: `${engagementPath(readable)}/escalations` }),
    },
    {
      method: 'GET',
      path: '/v1/escalations',
      allowed: READERS,
      success: 200,
      changes: false,
      prepare: async () => ({ path: '/v1/escalations' }),
    },
    {
      method: 'GET',
      path: '/v1/engagements/{id}/risk/history',
      allowed: READERS,
      success: 200,
      changes: false,
      prepare: async () => ({ path: `${engagementPath(readable)}/risk/history` }),
    },
    // Drills (SPEC §8, roles §10)
    {
      method: 'POST',
      path: '/v1/engagements/{id}/drills',
      allowed: DRILL_RECORDERS,
      success: 201,
      changes: true,
      prepare: async (productOwnerId) => ({
        path: `/v1/engagements/${(await createDraft(productOwnerId)).id}/drills`,
        body: drillBody(),
      }),
    },
    {
      method: 'GET',
      path: '/v1/engagements/{id}/drills',
      allowed: READERS,
      success: 200,
      changes: false,
      prepare: async () => ({ path: `${engagementPath(readable)}/drills` }),
    },
    {
      method: 'GET',
      path: '/v1/engagements/{id}/drills/{did}',
      allowed: READERS,
      success: 200,
      changes: false,
      prepare: async () => ({ path: `${engagementPath(readable)}/drills/${readableDrill.id}` }),
    },
    {
      method: 'POST',
      path: '/v1/engagements/{id}/drills/{did}/record',
      allowed: DRILL_RECORDERS,
      success: 200,
      changes: true,
      prepare: async (productOwnerId) => ({
        path: `${(await plannedDrill(productOwnerId)).path}/record`,
        body: {
          outcome: 'passed',
          performedOn: inDays(0),
          vendorAssistance: 'none',
          evidenceUrl: 'https://wiki.example.com/drills/restore',
          observedById: productOwnerId,
        },
      }),
    },
    // Learning sprints, learning paths, the playbook (SPEC §9, roles §10)
    {
      method: 'POST',
      path: '/v1/engagements/{id}/learning-sprints',
      allowed: SPRINT_PLANNERS,
      success: 201,
      changes: true,
      prepare: async (productOwnerId) => {
        const engagement = await createDraft(productOwnerId);
        const milestone = await addMilestone(engagement.id, 'final_handover');
        return {
          path: `/v1/engagements/${engagement.id}/learning-sprints`,
          body: await sprintBody(milestone.id),
        };
      },
    },
    {
      method: 'GET',
      path: '/v1/engagements/{id}/learning-sprints',
      allowed: READERS,
      success: 200,
      changes: false,
      prepare: async () => ({ path: `${engagementPath(readable)}/learning-sprints` }),
    },
    {
      method: 'POST',
      path: '/v1/engagements/{id}/learning-sprints/{sid}/complete',
      allowed: SPRINT_PLANNERS,
      success: 200,
      changes: true,
      prepare: async (productOwnerId) => ({
        path: `${(await plannedSprint(productOwnerId)).path}/complete`,
        body: sprintCompletion,
      }),
    },
    {
      method: 'GET',
      path: '/v1/people/{id}/learning',
      allowed: READERS,
      success: 200,
      changes: false,
      prepare: async () => ({ path: `/v1/people/${recipient.id}/learning` }),
    },
    {
      method: 'GET',
      path: '/v1/playbook',
      allowed: READERS,
      success: 200,
      changes: false,
      prepare: async () => ({ path: '/v1/playbook?q=deploy' }),
    },
    // Events
    {
      method: 'GET',
      path: '/v1/events',
      allowed: ['admin', 'procurement', 'product_owner', 'integration', 'viewer'],
      success: 200,
      changes: false,
      prepare: async () => ({ path: '/v1/events' }),
    },
    // Webhook endpoints: each case's endpoint belongs to the integration key, which an admin also sees.
    {
      method: 'POST',
      path: '/v1/webhook-endpoints',
      allowed: WEBHOOK_MANAGERS,
      success: 201,
      changes: true,
      prepare: async () => ({
        path: '/v1/webhook-endpoints',
        body: { url: 'https://hooks.example.com/handover', eventTypes: ['report.created'] },
      }),
    },
    {
      method: 'GET',
      path: '/v1/webhook-endpoints',
      allowed: WEBHOOK_MANAGERS,
      success: 200,
      changes: false,
      prepare: async () => ({ path: '/v1/webhook-endpoints' }),
    },
    {
      method: 'GET',
      path: '/v1/webhook-endpoints/{id}',
      allowed: WEBHOOK_MANAGERS,
      success: 200,
      changes: false,
      prepare: async () => ({ path: `/v1/webhook-endpoints/${(await integrationEndpoint()).id}` }),
    },
    {
      method: 'PATCH',
      path: '/v1/webhook-endpoints/{id}',
      allowed: WEBHOOK_MANAGERS,
      success: 200,
      changes: true,
      prepare: async () => ({
        path: `/v1/webhook-endpoints/${(await integrationEndpoint()).id}`,
        body: { description: `Changed ${unique()}` },
      }),
    },
    {
      method: 'DELETE',
      path: '/v1/webhook-endpoints/{id}',
      allowed: WEBHOOK_MANAGERS,
      success: 204,
      changes: true,
      prepare: async () => ({ path: `/v1/webhook-endpoints/${(await integrationEndpoint()).id}` }),
    },
    {
      method: 'POST',
      path: '/v1/webhook-endpoints/{id}/rotate-secret',
      allowed: WEBHOOK_MANAGERS,
      success: 200,
      changes: true,
      prepare: async () => ({
        path: `/v1/webhook-endpoints/${(await integrationEndpoint()).id}/rotate-secret`,
      }),
    },
    {
      method: 'POST',
      path: '/v1/webhook-endpoints/{id}/ping',
      allowed: WEBHOOK_MANAGERS,
      success: 202,
      changes: true,
      prepare: async () => ({
        path: `/v1/webhook-endpoints/${(await integrationEndpoint()).id}/ping`,
      }),
    },
    {
      method: 'GET',
      path: '/v1/webhook-endpoints/{id}/deliveries',
      allowed: WEBHOOK_MANAGERS,
      success: 200,
      changes: false,
      prepare: async () => ({
        path: `/v1/webhook-endpoints/${(await integrationEndpoint()).id}/deliveries`,
      }),
    },
    {
      method: 'POST',
      path: '/v1/webhook-endpoints/{id}/deliveries/{deliveryId}/retry',
      allowed: WEBHOOK_MANAGERS,
      success: 200,
      changes: true,
      prepare: async () => {
        const endpoint = await integrationEndpoint();
        const [delivery] = await t.dataSource.query(
          `INSERT INTO webhook_deliveries (endpoint_id, message_id, event_type, status, attempts)
           VALUES ($1, gen_random_uuid(), 'webhook.ping', 'failed', 8) RETURNING id`,
          [endpoint.id],
        );
        return {
          path: `/v1/webhook-endpoints/${endpoint.id}/deliveries/${delivery.id}/retry`,
        };
      },
    },
    // Weekly reports
    {
      method: 'POST',
      path: '/v1/reports/weekly',
      allowed: ['admin', 'reporter'],
      success: 201,
      changes: true,
      prepare: async () => {
        // Each case starts from a week without a report, so an allowed call creates it.
        await t.dataSource.query('DELETE FROM weekly_reports');
        return { path: '/v1/reports/weekly', body: {} };
      },
    },
    {
      method: 'GET',
      path: '/v1/reports',
      allowed: ROLES,
      success: 200,
      changes: false,
      prepare: async () => ({ path: '/v1/reports' }),
    },
    {
      method: 'GET',
      path: '/v1/reports/{id}',
      allowed: ROLES,
      success: 200,
      changes: false,
      prepare: async () => ({ path: `/v1/reports/${(await currentReport()).id}` }),
    },
    {
      method: 'GET',
      path: '/v1/reports/weekly/{week}',
      allowed: ROLES,
      success: 200,
      changes: false,
      prepare: async () => ({ path: `/v1/reports/weekly/${(await currentReport()).week}` }),
    },
    {
      method: 'GET',
      path: '/v1/risk/summary',
      allowed: READERS,
      success: 200,
      changes: false,
      prepare: async () => ({ path: '/v1/risk/summary' }),
    },
    {
      method: 'GET',
      path: '/v1/vendors/{id}/scorecard',
      allowed: READERS,
      success: 200,
      changes: false,
      prepare: async () => ({ path: `/v1/vendors/${vendor.id}/scorecard` }),
    },
    // Bulk data (SPEC §10)
    {
      method: 'POST',
      path: '/v1/imports/engagements',
      allowed: IMPORTERS,
      success: 201,
      changes: true,
      prepare: async () => ({ path: '/v1/imports/engagements', body: [importRow(), importRow()] }),
    },
    {
      method: 'GET',
      path: '/v1/engagements/export',
      allowed: EXPORTERS,
      success: 200,
      changes: false,
      prepare: async () => ({ path: '/v1/engagements/export' }),
    },
    // Knowledge-transfer artifacts
    {
      method: 'POST',
      path: '/v1/engagements/{id}/artifacts',
      allowed: ENGAGEMENT_EDITORS,
      success: 201,
      changes: true,
      prepare: async (productOwnerId) => {
        const engagement = await createDraft(productOwnerId);
        const milestone = await addMilestone(engagement.id);
        return {
          path: `/v1/engagements/${engagement.id}/artifacts`,
          body: { milestoneId: milestone.id, kind: 'runbook', title: 'On-call runbook' },
        };
      },
    },
    {
      method: 'GET',
      path: '/v1/engagements/{id}/artifacts',
      allowed: READERS,
      success: 200,
      changes: false,
      prepare: async () => ({ path: `${engagementPath(readable)}/artifacts` }),
    },
    {
      method: 'GET',
      path: '/v1/engagements/{id}/artifacts/{aid}',
      allowed: READERS,
      success: 200,
      changes: false,
      prepare: async () => ({ path: artifactPath(readable) }),
    },
    {
      method: 'PATCH',
      path: '/v1/engagements/{id}/artifacts/{aid}',
      allowed: ENGAGEMENT_EDITORS,
      success: 200,
      changes: true,
      prepare: async (productOwnerId) => ({
        path: artifactPath(await readyDraft(productOwnerId)),
        body: { title: `Renamed ${unique()}`, description: 'How to restart the pipeline' },
      }),
    },
    {
      method: 'POST',
      path: '/v1/engagements/{id}/artifacts/{aid}/deliver',
      allowed: DELIVERERS,
      success: 200,
      changes: true,
      prepare: async (productOwnerId) => ({
        path: `${artifactPath(await readyDraft(productOwnerId))}/deliver`,
        body: { evidenceUrl: 'https://docs.example.com/runbook', notes: 'Walkthrough recorded' },
      }),
    },
    {
      method: 'POST',
      path: '/v1/engagements/{id}/artifacts/{aid}/accept',
      allowed: ACCEPTORS,
      success: 200,
      changes: true,
      prepare: async (productOwnerId) => ({
        path: `${artifactPath(await deliveredArtifact(productOwnerId))}/accept`,
        body: { acceptedById: productOwnerId },
      }),
    },
    {
      method: 'POST',
      path: '/v1/engagements/{id}/artifacts/{aid}/reject',
      allowed: ACCEPTORS,
      success: 200,
      changes: true,
      prepare: async (productOwnerId) => ({
        path: `${artifactPath(await deliveredArtifact(productOwnerId))}/reject`,
        body: { reason: 'The restart procedure is missing' },
      }),
    },
  ];

  const operation = (endpoint: Pick<Endpoint, 'method' | 'path'>) =>
    `${endpoint.method} ${endpoint.path}`;

  // ---------------------------------------------------------------- setup

  beforeAll(async () => {
    t = await createTestApp();
    vendor = await createVendor();
    owner = await createPerson('Olivia Owner');
    tradeOffOwner = await createPerson('Tomas Tradeoff');
    recipient = await createPerson('Rita Recipient');
    for (const role of ROLES) {
      keys[role] =
        role === 'admin'
          ? t.adminKey
          : await t.keyFor(role, role === 'product_owner' ? owner.id : undefined);
    }
    // A populated engagement for the reads: active, with a date change on its final handover.
    readable = await activeEngagement(owner.id);
    await admin(
      'PATCH',
      milestonePath(readable),
      { dueDate: inDays(130), reason: 'Vendor team ramp-up took longer' },
      200,
    );
    readableDrill = await admin('POST', `${engagementPath(readable)}/drills`, drillBody(), 201);
    readableSprint = await admin(
      'POST',
      `${engagementPath(readable)}/learning-sprints`,
      await sprintBody(readable.finalHandover.id),
      201,
    );
    await admin(
      'POST',
      `${engagementPath(readable)}/learning-sprints/${readableSprint.id}/complete`,
      sprintCompletion,
      200,
    );
  });
  afterAll(() => t?.close());

  // ---------------------------------------------------------------- the matrix

  it('covers every /v1 operation of openapi.json, and nothing else', () => {
    expect(documentedOperations.length).toBeGreaterThan(0);
    const table = ENDPOINTS.map(operation).sort();
    expect(new Set(table).size).toBe(table.length);
    expect(table).toEqual(documentedOperations);
  });

  for (const endpoint of ENDPOINTS) {
    describe(operation(endpoint), () => {
      for (const role of ROLES) {
        const allowed = endpoint.allowed.includes(role);
        const bug = KNOWN_BUGS[`${operation(endpoint)} ${role}`];
        const title = `${role} → ${allowed ? endpoint.success : 403}${bug ? ` (bug: ${bug})` : ''}`;
        (bug ? it.failing : it)(title, async () => {
          const call = await endpoint.prepare(owner.id);
          const eventsBefore = await auditEventCount();
          const response = await send(keys[role], endpoint.method, call.path, call.body);
          if (allowed) {
            // The body is compared too, so that a failure shows the problem it answered.
            expect({ status: response.status, body: response.body }).toEqual({
              status: endpoint.success,
              body: expect.anything(),
            });
          } else {
            expectProblem(response, 403, 'forbidden');
            expect(await auditEventCount()).toBe(eventsBefore);
          }
        });
      }
    });
  }

  describe("product owners acting on others' engagements", () => {
    /** A product owner key whose person owns none of the matrix's engagements. */
    let outsiderKey: string;
    /** The outsider's own engagement. */
    let outsiders: Plan;
    /** The outsider, a person. */
    let outsiderId: string;

    beforeAll(async () => {
      const outsider = await createPerson('Oscar Outsider');
      outsiderId = outsider.id;
      outsiderKey = await t.keyFor('product_owner', outsider.id);
      outsiders = await readyDraft(outsider.id);
      await admin('PATCH', engagementPath(outsiders), { title: `Outsider's ${unique()}` }, 200);
    });

    const engagementScoped = (endpoint: Endpoint) =>
      endpoint.path.startsWith('/v1/engagements/{id}');
    const changes = ENDPOINTS.filter((endpoint) => endpoint.changes && engagementScoped(endpoint));
    const reads = ENDPOINTS.filter((endpoint) => !endpoint.changes && engagementScoped(endpoint));

    it('covers every change to an engagement, its milestones, its artifacts, its drills, its learning sprints and its risk', () => {
      expect(changes.map(operation).sort()).toEqual(
        [
          'PATCH /v1/engagements/{id}',
          'POST /v1/engagements/{id}/activate',
          'POST /v1/engagements/{id}/complete',
          'POST /v1/engagements/{id}/cancel',
          'POST /v1/engagements/{id}/milestones',
          'PATCH /v1/engagements/{id}/milestones/{mid}',
          'POST /v1/engagements/{id}/milestones/{mid}/complete',
          'POST /v1/engagements/{id}/artifacts',
          'PATCH /v1/engagements/{id}/artifacts/{aid}',
          'POST /v1/engagements/{id}/artifacts/{aid}/deliver',
          'POST /v1/engagements/{id}/artifacts/{aid}/accept',
          'POST /v1/engagements/{id}/artifacts/{aid}/reject',
          'POST /v1/engagements/{id}/risk/acknowledge',
          'POST /v1/engagements/{id}/drills',
          'POST /v1/engagements/{id}/drills/{did}/record',
          'POST /v1/engagements/{id}/learning-sprints',
          'POST /v1/engagements/{id}/learning-sprints/{sid}/complete',
        ].sort(),
      );
    });

    for (const endpoint of changes) {
      const bug = KNOWN_BUGS[`${operation(endpoint)} product_owner of another engagement`];
      (bug ? it.failing : it)(
        `${operation(endpoint)} → 403, nothing written; the owner may${bug ? ` (bug: ${bug})` : ''}`,
        async () => {
          const call = await endpoint.prepare(owner.id);
          const eventsBefore = await auditEventCount();
          const refused = await send(outsiderKey, endpoint.method, call.path, call.body);
          expectProblem(refused, 403, 'forbidden');
          expect(await auditEventCount()).toBe(eventsBefore);

          // The very same request by the owner's key succeeds: only ownership was lacking.
          const own = await send(keys.product_owner, endpoint.method, call.path, call.body);
          expect({ status: own.status, body: own.body }).toEqual({
            status: endpoint.success,
            body: expect.anything(),
          });
        },
      );
    }

    for (const endpoint of reads) {
      it(`${operation(endpoint)} → 200`, async () => {
        const call = await endpoint.prepare(owner.id);
        const response = await send(outsiderKey, endpoint.method, call.path);
        expect({ status: response.status, body: response.body }).toEqual({
          status: endpoint.success,
          body: expect.anything(),
        });
      });
    }

    /** The engagements the key's NDJSON export holds, or the refusal's response. */
    async function exported(key: string, query: Record<string, string> = {}) {
      const response = await t
        .http()
        .get('/v1/engagements/export')
        .query({ ...query, format: 'ndjson' })
        .set(bearer(key))
        .buffer(true);
      const lines = response.status === 200 ? response.text.split('\n').filter(Boolean) : [];
      return {
        response,
        engagements: lines.map((line) => JSON.parse(line) as Entity & { productOwnerId: string }),
      };
    }

    it("GET /v1/engagements/export → its own engagements only; another owner's productOwnerId → 403", async () => {
      const theirs = await exported(outsiderKey);
      expect(theirs.response.status).toBe(200);
      expect(theirs.engagements.map((engagement) => engagement.id)).toContain(
        outsiders.engagement.id,
      );
      expect(
        theirs.engagements.filter((engagement) => engagement.productOwnerId !== outsiderId),
      ).toEqual([]);

      // The owner's export holds the owner's engagements, none of the outsider's.
      const owners = await exported(keys.product_owner);
      expect(owners.response.status).toBe(200);
      const ownIds = owners.engagements.map((engagement) => engagement.id);
      expect(ownIds).toContain(readable.engagement.id);
      expect(ownIds).not.toContain(outsiders.engagement.id);
      expect(
        owners.engagements.filter((engagement) => engagement.productOwnerId !== owner.id),
      ).toEqual([]);

      // Asking for another owner's engagements is refused, not answered with an empty file.
      const refused = await exported(outsiderKey, { productOwnerId: owner.id });
      expectProblem(refused.response, 403, 'forbidden');
      const ownFilter = await exported(outsiderKey, { productOwnerId: outsiderId });
      expect(ownFilter.engagements.map((engagement) => engagement.id)).toEqual(
        theirs.engagements.map((engagement) => engagement.id),
      );
    });

    /** Every audit event the key may read, all pages. */
    async function allAuditEvents(key: string, query: Record<string, string> = {}) {
      type AuditEvent = { entityType: string; entityId: string; action: string };
      const events: AuditEvent[] = [];
      let cursor: string | null = null;
      do {
        const response: {
          status: number;
          body: { items: AuditEvent[]; nextCursor: string | null };
        } = await t
          .http()
          .get('/v1/audit-events')
          .query({ limit: 200, ...query, ...(cursor ? { cursor } : {}) })
          .set(bearer(key));
        expect(response.status).toBe(200);
        events.push(...response.body.items);
        cursor = response.body.nextCursor;
      } while (cursor);
      return events;
    }

    it("reads the audit events of its own engagements and none of another's", async () => {
      const ownIds = [outsiders.engagement.id, outsiders.finalHandover.id, outsiders.artifact.id];
      const seen = await allAuditEvents(outsiderKey);
      expect(seen.map((event) => event.entityId).filter((id) => !ownIds.includes(id))).toEqual([]);
      expect(seen.map((event) => `${event.action} ${event.entityId}`)).toEqual(
        expect.arrayContaining([
          `engagement.created ${outsiders.engagement.id}`,
          `engagement.updated ${outsiders.engagement.id}`,
          `milestone.created ${outsiders.finalHandover.id}`,
          `artifact.created ${outsiders.artifact.id}`,
        ]),
      );

      // Another owner's engagement has events, which its owner sees and the outsider does not.
      for (const id of [readable.engagement.id, readable.finalHandover.id, readable.artifact.id]) {
        expect(await allAuditEvents(keys.product_owner, { entityId: id })).not.toEqual([]);
        expect(await allAuditEvents(outsiderKey, { entityId: id })).toEqual([]);
      }
      expect(await allAuditEvents(outsiderKey, { entityType: 'engagement' })).toEqual(
        expect.not.arrayContaining([expect.objectContaining({ entityId: readable.engagement.id })]),
      );
    });
  });
});
