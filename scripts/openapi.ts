import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from '../src/app.module.js';
import { buildOpenApiDocument } from '../src/common/openapi.js';
import { loadConfig } from '../src/config/config.js';

/** Writes openapi.json from the controllers and DTOs, without a database (Nest preview mode). */
async function main(): Promise<void> {
  const config = loadConfig({});
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(config, {
      url: 'postgres://unused',
      poolSize: 1,
      statementTimeoutMs: 0,
      preparedStatements: false,
    }),
    new FastifyAdapter(),
    { preview: true, logger: false },
  );
  const document = buildOpenApiDocument(app);
  const path = resolve('openapi.json');
  writeFileSync(path, `${JSON.stringify(document, null, 2)}\n`);
  await app.close();
  console.log(`Wrote ${path} (${Object.keys(document.paths).length} paths)`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
