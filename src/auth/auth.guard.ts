import {
  type CanActivate,
  type ExecutionContext,
  Inject,
  Injectable,
  Logger,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { bindRequestLog } from '../common/logger.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { PUBLIC_KEY, ROLES_KEY } from './actor.js';
import { bearerToken } from './api-key-secret.js';
import { ApiKeysService } from './api-keys.service.js';
import {
  AddressRateLimitedError,
  ApiKeyRateLimitedError,
  RoleForbiddenError,
  UnauthenticatedError,
} from './auth.errors.js';
import { FixedWindowRateLimiter } from './rate-limiter.js';
import type { Role } from './role.js';

/**
 * Runs on every route: limits requests without a valid key per client address before it
 * looks the key up (429), authenticates the API key (401), applies the per-key rate limit
 * (429) and checks the route's roles (403). Routes marked @Public() skip it.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly logger = new Logger(AuthGuard.name);
  private readonly rateLimiter: FixedWindowRateLimiter;
  private readonly anonymousLimiter: FixedWindowRateLimiter;

  constructor(
    private readonly reflector: Reflector,
    private readonly apiKeys: ApiKeysService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.rateLimiter = new FixedWindowRateLimiter(
      config.rateLimitMax,
      config.rateLimitWindowSeconds * 1000,
    );
    this.anonymousLimiter = new FixedWindowRateLimiter(
      config.rateLimitAnonMax,
      config.rateLimitWindowSeconds * 1000,
    );
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;

    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    this.refuseExhaustedAddress(request.ip);
    const token = bearerToken(request.headers.authorization);
    const result = token ? await this.apiKeys.authenticate(token) : { outcome: 'missing' as const };
    if (result.outcome !== 'ok') {
      if (this.anonymousLimiter.enabled) this.anonymousLimiter.consume(request.ip);
      throw new UnauthenticatedError(result.outcome);
    }
    const { key } = result;
    request.actor = { apiKeyId: key.id, name: key.name, role: key.role, personId: key.personId };
    request.log = request.log.child({ apiKeyId: key.id });
    bindRequestLog(request.log);

    if (this.rateLimiter.enabled) {
      const decision = this.rateLimiter.consume(key.id);
      const headers = {
        'RateLimit-Limit': String(decision.limit),
        'RateLimit-Remaining': String(decision.remaining),
        'RateLimit-Reset': String(decision.resetSeconds),
      };
      if (!decision.allowed) throw new ApiKeyRateLimitedError(decision, headers);
      reply.headers(headers);
    }

    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if (!roles) {
      // Fail closed: a route must say who may call it.
      this.logger.error(`Route ${request.method} ${request.routeOptions.url} declares no @Roles()`);
    }
    if (!roles?.includes(key.role)) throw new RoleForbiddenError(key.role);
    return true;
  }

  /**
   * Requests without a valid key count against their client address; once it has used its
   * window, further requests from it are refused before any database lookup.
   */
  private refuseExhaustedAddress(address: string): void {
    if (!this.anonymousLimiter.enabled) return;
    const decision = this.anonymousLimiter.peek(address);
    if (decision.allowed) return;
    throw new AddressRateLimitedError(decision);
  }
}
