import 'reflect-metadata';
import { createApp } from './app.setup.js';
import { createLogger } from './common/logger.js';
import { ConfigError, loadConfig } from './config/config.js';
import { DataDirLockedError } from './database/embedded-postgres.js';

function printFirstAdminKey(secret: string, port: number): void {
  process.stderr.write(
    [
      '',
      '  A first admin API key was created. It is shown only this once; keep it safe:',
      '',
      `    ${secret}`,
      '',
      '  Send it as a bearer token, for example:',
      `    curl -H "Authorization: Bearer ${secret}" http://127.0.0.1:${port}/v1/api-keys`,
      '  and use it to create keys for people and tools (POST /v1/api-keys, docs at /docs).',
      '',
    ].join('\n') + '\n',
  );
}

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel, config.logFormat);
  const running = await createApp(config, {
    logger,
    onFirstAdminKey: (secret) => printFirstAdminKey(secret, config.port),
  }).catch((error: unknown) => {
    if (error instanceof DataDirLockedError) {
      logger.fatal(error.message);
      process.stderr.write(`${error.message}\n`);
      process.exit(73);
    }
    throw error;
  });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal} received: finishing in-flight requests, then stopping`);
    const deadline = setTimeout(() => {
      logger.error(`Shutdown took longer than ${config.shutdownTimeoutMs} ms; exiting anyway`);
      process.exit(1);
    }, config.shutdownTimeoutMs);
    deadline.unref();
    await running.close();
    logger.info('Stopped');
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));

  await running.app.listen({ port: config.port, host: config.host });
  const address = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${config.port}`;
  logger.info(`Handover is serving ${address} (API docs at ${address}/docs)`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `Handover failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
