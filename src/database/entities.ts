import { ApiKey } from '../auth/api-key.entity.js';

/** Every entity of the application: the single list shared by the app and the migration CLI. */
export const entities = [ApiKey];
