import type { Logger as PinoLogger } from 'pino';
import type { AppConfig } from '../config/config.js';
import type { ApiKeysService } from './api-keys.service.js';

/**
 * Makes sure someone can administer the API: ADMIN_API_KEY becomes an admin key; without it,
 * an embedded database with no keys at all gets a first admin key, handed to `onFirstAdminKey`.
 */
export async function bootstrapApiKeys(
  apiKeys: ApiKeysService,
  config: Pick<AppConfig, 'adminApiKey'>,
  embedded: boolean,
  logger: PinoLogger,
  onFirstAdminKey: ((secret: string) => void) | undefined,
): Promise<void> {
  if (config.adminApiKey) {
    const outcome = await apiKeys.ensureAdminKey(config.adminApiKey);
    if (outcome === 'revoked') {
      logger.warn('ADMIN_API_KEY matches a revoked key: it stays revoked. Set a new secret.');
    } else {
      logger.info(
        outcome === 'created'
          ? 'Created the admin key from ADMIN_API_KEY'
          : 'ADMIN_API_KEY is an admin key',
      );
    }
    return;
  }
  if (!embedded) return;
  const secret = await apiKeys.createFirstAdminKeyIfNone();
  if (secret) {
    logger.info('Created a first admin key; its secret is shown once on stderr');
    onFirstAdminKey?.(secret);
  }
}
