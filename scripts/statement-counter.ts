import type { DataSource, Logger, QueryRunner } from 'typeorm';

/**
 * Records the SQL statements a TypeORM data source sends, for query-count tests and
 * benchmarks. TypeORM hands every statement to the data source's `Logger.logQuery` just before
 * sending it (transaction control included, whatever the `logging` option says); `attach`
 * swaps in a logger that records the statement and passes every call on to the previous
 * logger, through the public `DataSource.setOptions`, so the application needs no hook and
 * logs as before. The recording is global to the data source: measure one request at a time.
 */
export class StatementCounter {
  private recorded: string[] = [];

  private constructor(
    private readonly dataSource: DataSource,
    private readonly previous: Logger,
  ) {}

  static attach(dataSource: DataSource): StatementCounter {
    const counter = new StatementCounter(dataSource, dataSource.logger);
    dataSource.setOptions({ logger: new RecordingLogger(counter.previous, counter.recorded) });
    return counter;
  }

  /** The statements sent since the last reset, in order. */
  get statements(): readonly string[] {
    return this.recorded;
  }

  reset(): void {
    this.recorded.length = 0;
  }

  /** Runs `action` and returns its result with the statements sent meanwhile. */
  async during<T>(action: () => Promise<T>): Promise<{ result: T; statements: string[] }> {
    this.reset();
    const result = await action();
    return { result, statements: [...this.recorded] };
  }

  /** Puts the previous logger back. */
  detach(): void {
    this.dataSource.setOptions({ logger: this.previous });
  }
}

class RecordingLogger implements Logger {
  constructor(
    private readonly inner: Logger,
    private readonly recorded: string[],
  ) {}

  logQuery(query: string, parameters?: unknown[], queryRunner?: QueryRunner): unknown {
    this.recorded.push(query);
    return this.inner.logQuery(query, parameters, queryRunner);
  }

  logQueryError(
    error: string | Error,
    query: string,
    parameters?: unknown[],
    queryRunner?: QueryRunner,
  ): unknown {
    return this.inner.logQueryError(error, query, parameters, queryRunner);
  }

  logQuerySlow(
    time: number,
    query: string,
    parameters?: unknown[],
    queryRunner?: QueryRunner,
  ): unknown {
    return this.inner.logQuerySlow(time, query, parameters, queryRunner);
  }

  logSchemaBuild(message: string, queryRunner?: QueryRunner): unknown {
    return this.inner.logSchemaBuild(message, queryRunner);
  }

  logMigration(message: string, queryRunner?: QueryRunner): unknown {
    return this.inner.logMigration(message, queryRunner);
  }

  log(level: 'log' | 'info' | 'warn', message: unknown, queryRunner?: QueryRunner): unknown {
    return this.inner.log(level, message, queryRunner);
  }
}
