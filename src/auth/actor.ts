import { createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Role } from './role.js';

/** Who makes the request: the authenticated API key. */
export interface Actor {
  apiKeyId: string;
  name: string;
  role: Role;
  personId: string | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    actor?: Actor;
  }
}

export const ROLES_KEY = 'handover:roles';
export const PUBLIC_KEY = 'handover:public';

/** The roles allowed to call a route. */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);

/** A route that needs no API key (health checks). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

export const CurrentActor = createParamDecorator((_: unknown, context: ExecutionContext): Actor => {
  const actor = context.switchToHttp().getRequest<{ actor?: Actor }>().actor;
  if (!actor) throw new Error('CurrentActor used on a route without authentication');
  return actor;
});
