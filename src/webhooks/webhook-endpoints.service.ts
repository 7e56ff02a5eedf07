import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { Actor } from '../auth/actor.js';
import { Clock } from '../common/clock.js';
import { assertVersion } from '../common/concurrency.js';
import {
  Keyset,
  keysetPage,
  type Page,
  pageByCreation,
  type PageQuery,
  timeThenId,
} from '../common/pagination.js';
import { type ProblemItem, ValidationProblem } from '../common/problem.js';
import { definedFields } from '../common/query-helpers.js';
import { updateVersioned } from '../common/versioned-update.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { Engagement } from '../engagements/engagement.entity.js';
import { Vendor } from '../vendors/vendor.entity.js';
import {
  type CreateWebhookEndpointDto,
  type ListDeliveriesQuery,
  type UpdateWebhookEndpointDto,
  WebhookDeliveryResponse,
  WebhookEndpointResponse,
  type WebhookEndpointWithSecretResponse,
} from './dto/webhook-endpoint.dto.js';
import { literalAddress, urlProblem } from './webhook-address.js';
import { WebhookDelivery } from './webhook-delivery.entity.js';
import { failPendingDeliveries, WebhookDispatcher } from './webhook-dispatcher.js';
import { WebhookEndpoint } from './webhook-endpoint.entity.js';
import { forbiddenResolution, HostResolver } from './webhook-sender.js';
import { newWebhookSecret } from './webhook-signing.js';
import {
  DeliveryNotFailedError,
  DeliveryNotFoundError,
  PingOfDisabledEndpointError,
  RetryToDisabledEndpointError,
  WebhookEndpointNotFoundError,
} from './webhooks.errors.js';

/** How long the secret before a rotation still signs (SPEC §6). */
const ROTATION_OVERLAP_MS = 24 * 3_600_000;

const NEWEST_DELIVERY_FIRST = new Keyset<WebhookDelivery>(
  timeThenId('delivery.createdAt', (row) => row.createdAt, 'delivery.id'),
  'DESC',
);

/**
 * Webhook endpoints (SPEC §6): an integration key manages only the endpoints it created; an
 * admin manages all. Another key's endpoint is answered 404, as if it did not exist.
 */
@Injectable()
export class WebhookEndpointsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly resolver: HostResolver,
    private readonly dispatcher: WebhookDispatcher,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async create(
    actor: Actor,
    input: CreateWebhookEndpointDto,
  ): Promise<WebhookEndpointWithSecretResponse> {
    return this.dataSource.transaction(async (manager) => {
      await this.assertValid(manager, input);
      const endpoint = await manager.save(
        manager.create(WebhookEndpoint, {
          url: input.url,
          description: input.description ?? null,
          eventTypes: input.eventTypes,
          engagementId: input.engagementId ?? null,
          vendorId: input.vendorId ?? null,
          enabled: input.enabled ?? true,
          secret: newWebhookSecret(),
          ownerApiKeyId: actor.apiKeyId,
        }),
      );
      return { ...WebhookEndpointResponse.from(endpoint), secret: endpoint.secret };
    });
  }

  async list(actor: Actor, query: PageQuery): Promise<Page<WebhookEndpointResponse>> {
    const builder = this.dataSource.getRepository(WebhookEndpoint).createQueryBuilder('endpoint');
    if (actor.role !== 'admin') {
      builder.andWhere('endpoint.ownerApiKeyId = :owner', { owner: actor.apiKeyId });
    }
    return pageByCreation(builder, query, WebhookEndpointResponse.from);
  }

  async get(actor: Actor, id: string): Promise<WebhookEndpointResponse> {
    return WebhookEndpointResponse.from(await this.find(this.dataSource.manager, actor, id));
  }

  async update(
    actor: Actor,
    id: string,
    input: UpdateWebhookEndpointDto,
    ifMatch: number | undefined,
  ): Promise<WebhookEndpointResponse> {
    return this.dataSource.transaction(async (manager) => {
      const current = await this.find(manager, actor, id, true);
      await this.assertValid(manager, input);
      const patch: Partial<WebhookEndpoint> = definedFields(input, [
        'url',
        'description',
        'eventTypes',
        'engagementId',
        'vendorId',
        'enabled',
      ]);
      // Enabling again starts afresh: the reason and the failure count go.
      if (input.enabled === true && !current.enabled) {
        Object.assign(patch, { disabledReason: null, consecutiveFailures: 0 });
      }
      const updated = await updateVersioned(manager, WebhookEndpoint, current, ifMatch, patch);
      if (current.enabled && !updated.enabled) {
        await failPendingDeliveries(manager, id, 'paused by a PATCH');
      }
      return WebhookEndpointResponse.from(updated);
    });
  }

  async remove(actor: Actor, id: string, ifMatch: number | undefined): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const current = await this.find(manager, actor, id, true);
      assertVersion(ifMatch, current.version);
      await manager.delete(WebhookEndpoint, { id });
    });
  }

  /** A new secret; the old one keeps signing for 24 hours beside it. */
  async rotateSecret(actor: Actor, id: string): Promise<WebhookEndpointWithSecretResponse> {
    return this.dataSource.transaction(async (manager) => {
      const current = await this.find(manager, actor, id, true);
      const secret = newWebhookSecret();
      const updated = await updateVersioned(manager, WebhookEndpoint, current, undefined, {
        secret,
        previousSecret: current.secret,
        previousSecretExpiresAt: new Date(this.clock.now().getTime() + ROTATION_OVERLAP_MS),
      });
      return { ...WebhookEndpointResponse.from(updated), secret };
    });
  }

  /** Queues a `webhook.ping` to this endpoint alone, whatever its filters; not in the feed. */
  async ping(actor: Actor, id: string): Promise<WebhookDeliveryResponse> {
    const endpoint = await this.find(this.dataSource.manager, actor, id);
    if (!endpoint.enabled) throw new PingOfDisabledEndpointError(endpoint);
    const [delivery] = await this.dataSource.query(
      `INSERT INTO webhook_deliveries (endpoint_id, message_id, event_type, next_attempt_at)
       VALUES ($1, gen_random_uuid(), 'webhook.ping', now()) RETURNING id`,
      [id],
    );
    this.dispatcher.wake();
    return WebhookDeliveryResponse.from(
      await this.dataSource.manager.findOneByOrFail(WebhookDelivery, { id: delivery.id }),
    );
  }

  async deliveries(
    actor: Actor,
    id: string,
    query: ListDeliveriesQuery,
  ): Promise<Page<WebhookDeliveryResponse>> {
    await this.find(this.dataSource.manager, actor, id);
    const builder = this.dataSource
      .getRepository(WebhookDelivery)
      .createQueryBuilder('delivery')
      .where('delivery.endpointId = :id', { id });
    if (query.status) builder.andWhere('delivery.status = :status', { status: query.status });
    return keysetPage(builder, NEWEST_DELIVERY_FIRST, query, WebhookDeliveryResponse.from);
  }

  /** Queues a failed delivery again, from its first attempt; 409 unless it is `failed`. */
  async retry(actor: Actor, id: string, deliveryId: string): Promise<WebhookDeliveryResponse> {
    const endpoint = await this.find(this.dataSource.manager, actor, id);
    const retried: WebhookDelivery[] = await this.dataSource.transaction(async (manager) => {
      const delivery = await manager.findOne(WebhookDelivery, {
        where: { id: deliveryId, endpointId: id },
        lock: { mode: 'pessimistic_write' },
      });
      if (!delivery) throw new DeliveryNotFoundError(deliveryId);
      if (delivery.status !== 'failed')
        throw new DeliveryNotFailedError(deliveryId, delivery.status);
      if (!endpoint.enabled) throw new RetryToDisabledEndpointError();
      await manager.update(
        WebhookDelivery,
        { id: deliveryId },
        { status: 'pending', attempts: 0, nextAttemptAt: () => 'now()' },
      );
      return [await manager.findOneByOrFail(WebhookDelivery, { id: deliveryId })];
    });
    this.dispatcher.wake();
    return WebhookDeliveryResponse.from(retried[0]);
  }

  private async find(
    manager: EntityManager,
    actor: Actor,
    id: string,
    forUpdate = false,
  ): Promise<WebhookEndpoint> {
    const endpoint = await manager.findOne(WebhookEndpoint, {
      where: { id },
      ...(forUpdate ? { lock: { mode: 'pessimistic_write' as const } } : {}),
    });
    if (!endpoint || (actor.role !== 'admin' && endpoint.ownerApiKeyId !== actor.apiKeyId)) {
      throw new WebhookEndpointNotFoundError(id);
    }
    return endpoint;
  }

  /** Every problem with the URL and the references at once, each naming its field. */
  private async assertValid(
    manager: EntityManager,
    input: Partial<CreateWebhookEndpointDto>,
  ): Promise<void> {
    const problems: ProblemItem[] = [];
    if (input.url !== undefined) {
      const problem = await this.urlProblem(input.url);
      if (problem) problems.push({ field: 'url', message: `url ${problem}` });
    }
    if (input.engagementId && !(await manager.existsBy(Engagement, { id: input.engagementId }))) {
      problems.push({
        field: 'engagementId',
        message: 'engagementId refers to an engagement that does not exist',
      });
    }
    if (input.vendorId && !(await manager.existsBy(Vendor, { id: input.vendorId }))) {
      problems.push({
        field: 'vendorId',
        message: 'vendorId refers to a vendor that does not exist',
      });
    }
    if (problems.length > 0) throw new ValidationProblem(problems);
  }

  /** The URL's own rules, then its name's current addresses; a name that does not resolve yet passes. */
  private async urlProblem(raw: string): Promise<string | undefined> {
    const policy = this.config.webhooks;
    const problem = urlProblem(raw, policy);
    if (problem) return problem;
    const url = new URL(raw);
    if (literalAddress(url)) return undefined;
    try {
      return await forbiddenResolution(this.resolver, url.hostname, policy);
    } catch {
      return undefined;
    }
  }
}
