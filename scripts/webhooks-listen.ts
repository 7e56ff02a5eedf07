import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';

const USAGE = `Usage: npm run webhooks:listen -- --port 4000 --secret whsec_…
A webhook receiver for trying Handover out: it verifies each delivery's Standard Webhooks
signature with the endpoint's secret, prints one line per delivery (time, type, engagement,
summary) and answers 204; a delivery that fails verification is printed and answered 401.
Create the endpoint with url http://127.0.0.1:<port>/ and start the API with
WEBHOOK_ALLOW_HTTP=true WEBHOOK_ALLOW_LOOPBACK=true.`;

/** Longest body accepted: deliveries are small JSON documents. */
const MAX_BODY_BYTES = 1_048_576;

interface Delivery {
  type?: string;
  engagementId?: string | null;
  data?: Record<string, unknown>;
}

/** A few words on what happened, by event type. */
function summary(delivery: Delivery): string {
  const data = delivery.data ?? {};
  const milestone = data.milestone as { name?: string } | undefined;
  switch (delivery.type) {
    case 'milestone.date_changed':
      return `${milestone?.name ?? 'milestone'}: ${String(data.fromDate)} → ${String(data.toDate)}${data.slip ? ` (slip of ${String(data.slipDays)} days)` : ''}`;
    case 'milestone.due_soon':
      return `${milestone?.name ?? 'milestone'} due ${String(data.dueDate)} (${String(data.daysLeft)} days left)`;
    case 'milestone.overdue':
      return `${milestone?.name ?? 'milestone'} overdue since ${String(data.dueDate)}`;
    case 'risk.level_changed': {
      const from = data.from as { level: string } | undefined;
      const to = data.to as { level: string } | undefined;
      return `risk ${from?.level} → ${to?.level} (${String(data.cause)}; raised ${(data.raised as string[] | undefined)?.join(', ') || 'none'})`;
    }
    case 'escalation.raised':
    case 'escalation.resolved':
      return `escalation at ${String(data.level)} since ${String(data.since)}`;
    case 'webhook.ping':
      return `ping of endpoint ${String(data.endpointId)}`;
    default:
      return typeof data.title === 'string'
        ? data.title
        : typeof data.name === 'string'
          ? data.name
          : '';
  }
}

function main(): void {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '4000' },
      host: { type: 'string', default: '127.0.0.1' },
      secret: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (!values.secret?.startsWith('whsec_')) {
    console.error(
      `--secret is required: the whsec_… secret returned when the endpoint was created.\n\n${USAGE}`,
    );
    process.exitCode = 2;
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`--port must be a port number from 0 to 65535.\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  const webhook = new Webhook(values.secret);
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    let length = 0;
    request.on('data', (chunk: Buffer) => {
      length += chunk.length;
      if (length <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const at = new Date().toISOString();
      try {
        const delivery = webhook.verify(body, {
          'webhook-id': String(request.headers['webhook-id'] ?? ''),
          'webhook-timestamp': String(request.headers['webhook-timestamp'] ?? ''),
          'webhook-signature': String(request.headers['webhook-signature'] ?? ''),
        }) as Delivery;
        console.log(
          `${at}  ${delivery.type ?? '?'}  engagement ${delivery.engagementId ?? '-'}  ${summary(delivery)}`,
        );
        response.statusCode = 204;
        response.end();
      } catch (error) {
        const reason = error instanceof WebhookVerificationError ? error.message : String(error);
        console.log(`${at}  REFUSED (${reason}): ${request.method} ${request.url}`);
        response.statusCode = 401;
        response.end();
      }
    });
  });
  server.listen(port, values.host, () => {
    console.log(
      `Listening on http://${values.host}:${port}/ for signed Handover deliveries (Ctrl-C to stop)`,
    );
  });
  process.once('SIGINT', () => server.close(() => process.exit(0)));
}

main();
