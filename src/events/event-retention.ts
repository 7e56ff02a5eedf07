import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../common/clock.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/**
 * Deletes events older than EVENT_RETENTION_DAYS, at start-up and then hourly, in every
 * instance: a delete by age is the same whoever runs it, so no coordination is needed.
 */
@Injectable()
export class EventRetention implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(EventRetention.name);
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    void this.run();
    this.timer = setInterval(() => void this.run(), HOUR_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** Deletes the expired events; returns how many. */
  async deleteExpired(): Promise<number> {
    const cutoff = new Date(this.clock.now().getTime() - this.config.eventRetentionDays * DAY_MS);
    const [, deleted]: [unknown, number] = await this.dataSource.query(
      'DELETE FROM events WHERE occurred_at < $1',
      [cutoff],
    );
    return deleted;
  }

  private async run(): Promise<void> {
    try {
      const deleted = await this.deleteExpired();
      if (deleted > 0)
        this.logger.log(
          `Deleted ${deleted} events older than ${this.config.eventRetentionDays} days`,
        );
    } catch (error) {
      this.logger.warn(
        `Event retention failed, retrying within the hour: ${(error as Error).message}`,
      );
    }
  }
}
