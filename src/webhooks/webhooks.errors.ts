import { ConflictProblem, NotFoundProblem } from '../common/problem.js';
import type { WebhookDelivery } from './webhook-delivery.entity.js';
import type { WebhookEndpoint } from './webhook-endpoint.entity.js';

export class WebhookEndpointNotFoundError extends NotFoundProblem {
  constructor(id: string) {
    super('Webhook endpoint', id);
  }
}

export class DeliveryNotFoundError extends NotFoundProblem {
  constructor(id: string) {
    super('Delivery', id);
  }
}

/** A disabled endpoint is not pinged. */
export class PingOfDisabledEndpointError extends ConflictProblem {
  static readonly code = 'ENDPOINT_DISABLED';

  constructor(endpoint: Pick<WebhookEndpoint, 'disabledReason'>) {
    super('The endpoint is disabled; enable it to ping it.', [
      {
        code: PingOfDisabledEndpointError.code,
        message: `Disabled (${endpoint.disabledReason ?? 'by a PATCH'}): PATCH enabled=true first.`,
      },
    ]);
  }
}

/** A disabled endpoint's deliveries are not retried. */
export class RetryToDisabledEndpointError extends ConflictProblem {
  static readonly code = PingOfDisabledEndpointError.code;

  constructor() {
    super('The endpoint is disabled; enable it to retry deliveries.', [
      { code: RetryToDisabledEndpointError.code, message: 'PATCH enabled=true first.' },
    ]);
  }
}

export class DeliveryNotFailedError extends ConflictProblem {
  static readonly code = 'DELIVERY_NOT_FAILED';

  /** `deliveryId` as the request names it. */
  constructor(deliveryId: string, status: WebhookDelivery['status']) {
    super(`The delivery is ${status}; only a failed one is retried.`, [
      { code: DeliveryNotFailedError.code, message: `Delivery ${deliveryId} is ${status}.` },
    ]);
  }
}
