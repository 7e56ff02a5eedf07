import type { AddressInfo } from 'node:net';
import { addDays, todayUtc } from '../src/common/dates.js';
import { isoWeekOf } from '../src/reports/iso-week.js';
import { type Client, createClient, createConfig } from './client/generated/client/index.js';
import {
  apiKeysCreate,
  artifactsAccept,
  artifactsCreate,
  artifactsDeliver,
  engagementsActivate,
  engagementsComplete,
  engagementsCreate,
  engagementsGet,
  milestonesComplete,
  milestonesCreate,
  milestonesDateChanges,
  milestonesGet,
  milestonesUpdate,
  peopleCreate,
  portfolioSummary,
  reportsGenerate,
  reportsGet,
  reportsGetByWeek,
  riskGet,
  vendorsCreate,
  vendorsGet,
  type ClientOptions,
  type CreateEngagementDto,
  type Role,
} from './client/generated/index.js';
import { checkedFetch } from './openapi-contract.js';
import { createTestApp, type TestApp } from './test-app.js';

/**
 * An integrator's view: the whole engagement lifecycle driven over real HTTP by the client that
 * @hey-api/openapi-ts generates from openapi.json (`npm run client:generate`). If the document
 * misnames an operation, mistypes a body or omits a header, this file stops compiling or fails.
 */

/** What every generated SDK function resolves to when it does not throw. */
interface SdkResult<T> {
  data?: T;
  error?: unknown;
  /** Absent at run time when the fetch itself failed, whatever the SDK's types say. */
  response: Response;
}

/**
 * The SDK's result, once it holds a response: a failed fetch, including a response that
 * contradicts openapi.json (checkedFetch throws), comes back as an error without a response.
 */
async function received<R extends SdkResult<unknown>>(pending: Promise<R>): Promise<R> {
  const result = await pending;
  if (result.response === undefined) throw result.error;
  return result;
}

/**
 * The body of a response with the expected status (fails with the problem document otherwise),
 * and its ETag, which must name the version of any versioned body.
 */
async function expectStatus<T>(
  pending: Promise<SdkResult<T>>,
  status: number,
): Promise<{ data: T; etag: string | undefined }> {
  const { data, error, response } = await received(pending);
  if (response.status !== status || data === undefined) {
    throw new Error(
      `${response.url} answered ${response.status} (expected ${status}): ${JSON.stringify(error)}`,
    );
  }
  const etag = response.headers.get('etag') ?? undefined;
  const { version } = data as { version?: unknown };
  if (typeof version === 'number') expect(etag).toBe(`"${version}"`);
  return { data, etag };
}

describe('a client generated from openapi.json', () => {
  let t: TestApp;
  let baseUrl: string;
  // Every response the client receives is checked against openapi.json too.
  const clientFor = (apiKey: string): Client =>
    createClient(createConfig<ClientOptions>({ baseUrl, auth: apiKey, fetch: checkedFetch }));

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.listen(0, '127.0.0.1');
    const { port } = t.app.getHttpServer().address() as AddressInfo;
    baseUrl = `http://127.0.0.1:${port}`;
  });
  afterAll(() => t.close());

  it('runs an engagement from vendor to weekly report with typed calls only', async () => {
    const today = todayUtc();
    const admin = clientFor(t.adminKey);

    // People first: the product owner's key acts for the product owner.
    const newPerson = async (name: string, team: string) =>
      (
        await expectStatus(
          peopleCreate({
            client: admin,
            body: { name, email: `${name.toLowerCase().replace(/ /g, '.')}@example.com`, team },
          }),
          201,
        )
      ).data;
    const owner = await newPerson('Olivia Owner', 'Finance systems');
    const tradeOffOwner = await newPerson('Theo Tradeoff', 'Finance');
    const recipients = [
      await newPerson('Rita Recipient', 'Finance systems'),
      await newPerson('Ravi Recipient', 'Finance systems'),
    ];

    const keyOf = async (role: Role, personId?: string) =>
      (
        await expectStatus(
          apiKeysCreate({ client: admin, body: { name: `${role} integration`, role, personId } }),
          201,
        )
      ).data.secret;
    const procurement = clientFor(await keyOf('procurement'));
    const productOwner = clientFor(await keyOf('product_owner', owner.id));
    const vendorSide = clientFor(await keyOf('integration'));
    const reporter = clientFor(await keyOf('reporter'));

    const vendor = (
      await expectStatus(
        vendorsCreate({
          client: procurement,
          body: { name: 'Acme AI', contactEmail: 'delivery@acme.example', website: null },
        }),
        201,
      )
    ).data;
    expect(
      (await expectStatus(vendorsGet({ client: procurement, path: { id: vendor.id } }), 200)).data,
    ).toEqual(vendor);

    // The engagement, created with an Idempotency-Key: the retry returns the first response.
    const body: CreateEngagementDto = {
      title: 'Invoice extraction',
      vendorId: vendor.id,
      contractRef: 'PO-2026-0042',
      productOwnerId: owner.id,
      spec: {
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
        tradeOffOwnerId: tradeOffOwner.id,
        tradeOffRule: 'Accuracy over latency.',
      },
      knowledgeRecipientIds: recipients.map((person) => person.id),
      startDate: today,
      contractEndDate: addDays(today, 180),
      noticePeriodDays: 30,
    };
    const create = () =>
      engagementsCreate({
        client: procurement,
        body,
        headers: { 'Idempotency-Key': 'create-invoice-extraction' },
      });
    const created = await expectStatus(create(), 201);
    const engagement = created.data;
    expect(engagement).toMatchObject({
      status: 'draft',
      version: 1,
      lastSafeHandoverDate: addDays(today, 150),
    });
    expect(created.etag).toBe('"1"');
    expect((await expectStatus(create(), 201)).data).toEqual(engagement);
    const id = engagement.id;

    // Milestones (a delivery and the final handover) and a KT artifact due with each.
    const deliveryDue = addDays(today, 20);
    const finalDue = addDays(today, 60);
    const delivery = (
      await expectStatus(
        milestonesCreate({
          client: productOwner,
          path: { id },
          body: { name: 'Pilot on one entity', kind: 'delivery', dueDate: deliveryDue },
        }),
        201,
      )
    ).data;
    const finalHandover = (
      await expectStatus(
        milestonesCreate({
          client: productOwner,
          path: { id },
          body: { name: 'Final handover', kind: 'final_handover', dueDate: finalDue },
        }),
        201,
      )
    ).data;
    const adr = (
      await expectStatus(
        artifactsCreate({
          client: productOwner,
          path: { id },
          body: {
            milestoneId: delivery.id,
            kind: 'architecture_decision_record',
            title: 'Why OCR runs in the EU region',
          },
        }),
        201,
      )
    ).data;
    const runbook = (
      await expectStatus(
        artifactsCreate({
          client: productOwner,
          path: { id },
          body: {
            milestoneId: finalHandover.id,
            kind: 'runbook',
            title: 'Operating the extraction pipeline',
            description: 'Retraining, reprocessing, on-call',
          },
        }),
        201,
      )
    ).data;
    expect([adr.status, runbook.status]).toEqual(['required', 'required']);

    // Activate with the ETag last read: the baselines freeze.
    const activated = await expectStatus(
      engagementsActivate({
        client: productOwner,
        path: { id },
        headers: { 'If-Match': created.etag },
      }),
      200,
    );
    expect(activated.data).toMatchObject({ status: 'active', activatedAt: expect.any(String) });

    // A stale If-Match is refused with a typed problem and the current ETag.
    const stale = await received(
      engagementsComplete({
        client: productOwner,
        path: { id },
        headers: { 'If-Match': created.etag },
      }),
    );
    expect(stale.response.status).toBe(412);
    expect(stale.response.headers.get('etag')).toBe(activated.etag);
    expect(stale.error).toMatchObject({
      status: 412,
      type: 'urn:handover:problem:precondition-failed',
    });

    // Slip the final handover by 15 days, with a reason, against its current ETag.
    const handoverNow = await expectStatus(
      milestonesGet({ client: productOwner, path: { id, mid: finalHandover.id } }),
      200,
    );
    expect(handoverNow.data.baselineDueDate).toBe(finalDue);
    const slipped = await expectStatus(
      milestonesUpdate({
        client: productOwner,
        path: { id, mid: finalHandover.id },
        headers: { 'If-Match': handoverNow.etag },
        body: { dueDate: addDays(finalDue, 15), reason: 'Vendor lost its OCR lead' },
      }),
      200,
    );
    expect(slipped.data).toMatchObject({
      dueDate: addDays(finalDue, 15),
      baselineDueDate: finalDue,
    });
    const ledger = (
      await expectStatus(
        milestonesDateChanges({ client: productOwner, path: { id, mid: finalHandover.id } }),
        200,
      )
    ).data;
    expect(ledger.items).toEqual([
      expect.objectContaining({
        fromDate: finalDue,
        toDate: addDays(finalDue, 15),
        reason: 'Vendor lost its OCR lead',
        slip: true,
      }),
    ]);

    // The slip shows as risk on the engagement and in the portfolio.
    const risk = (await expectStatus(riskGet({ client: productOwner, path: { id } }), 200)).data;
    expect(risk).toMatchObject({
      engagementId: id,
      asOf: today,
      level: 'medium',
      score: 15,
      dependencyTrap: false,
    });
    expect(risk.signals).toEqual([
      expect.objectContaining({
        code: 'HANDOVER_SLIPPED',
        severity: 'medium',
        data: expect.objectContaining({ slipDays: 15, slipCount: 1 }),
      }),
    ]);
    const portfolio = (await expectStatus(portfolioSummary({ client: procurement }), 200)).data;
    expect(portfolio.totals).toEqual({
      engagements: 1,
      byLevel: { none: 0, low: 0, medium: 1, high: 0, critical: 0 },
      dependencyTrap: 0,
    });
    expect(portfolio.vendors).toEqual([
      expect.objectContaining({ vendorId: vendor.id, engagements: 1, flagged: 0 }),
    ]);

    // The cron job's weekly report: a snapshot taken now, while the engagement is open.
    const week = isoWeekOf(today);
    const generated = await expectStatus(reportsGenerate({ client: reporter, body: {} }), 201);
    const report = generated.data;
    expect(report).toMatchObject({ week, asOf: today });
    expect(report.engagements).toEqual([
      expect.objectContaining({
        engagementId: id,
        level: 'medium',
        change: 'new',
        previousLevel: null,
      }),
    ]);
    expect(report.vendors).toEqual([
      expect.objectContaining({ vendorId: vendor.id, slipDays: 15 }),
    ]);

    // The vendor delivers; the product owner accepts on behalf of a knowledge recipient.
    for (const artifact of [adr, runbook]) {
      const delivered = await expectStatus(
        artifactsDeliver({
          client: vendorSide,
          path: { id, aid: artifact.id },
          body: { evidenceUrl: `https://wiki.acme.example/handover/${artifact.id}` },
        }),
        200,
      );
      expect(delivered.data.status).toBe('delivered');
      const accepted = await expectStatus(
        artifactsAccept({
          client: productOwner,
          path: { id, aid: artifact.id },
          headers: { 'If-Match': delivered.etag },
          body: { acceptedById: recipients[0].id, notes: 'Walked through it with the team' },
        }),
        200,
      );
      expect(accepted.data).toMatchObject({ status: 'accepted', acceptedById: recipients[0].id });
    }

    for (const milestone of [delivery, finalHandover]) {
      const completed = await expectStatus(
        milestonesComplete({ client: productOwner, path: { id, mid: milestone.id }, body: {} }),
        200,
      );
      expect(completed.data.completedOn).toBe(today);
    }
    const current = await expectStatus(engagementsGet({ client: productOwner, path: { id } }), 200);
    const completed = await expectStatus(
      engagementsComplete({
        client: productOwner,
        path: { id },
        headers: { 'If-Match': current.etag },
      }),
      200,
    );
    expect(completed.data).toMatchObject({ status: 'completed', completedAt: expect.any(String) });

    // A completed engagement carries no risk and leaves the open portfolio.
    const riskAfter = (await expectStatus(riskGet({ client: productOwner, path: { id } }), 200))
      .data;
    expect(riskAfter).toMatchObject({ level: 'none', score: 0, signals: [] });
    const portfolioAfter = (await expectStatus(portfolioSummary({ client: procurement }), 200))
      .data;
    expect(portfolioAfter.totals.engagements).toBe(0);

    // The report is immutable: read by id and by week it is the snapshot taken before completion.
    const byId = (
      await expectStatus(reportsGet({ client: procurement, path: { id: report.id } }), 200)
    ).data;
    expect(byId).toEqual(report);
    const byWeek = (
      await expectStatus(reportsGetByWeek({ client: procurement, path: { week } }), 200)
    ).data;
    expect(byWeek).toEqual(report);
    const again = await expectStatus(reportsGenerate({ client: reporter, body: { week } }), 200);
    expect(again.data.id).toBe(report.id);
  });
});
