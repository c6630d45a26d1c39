#!/usr/bin/env node
import { Command } from 'commander'
import { type Config, ConfigError, loadConfig } from '../config.js'
import { createLogger, type Logger } from '../logger.js'
import { loadDemo, migrate, serve } from '../main.js'

const environment = `
Environment:
  DATABASE_URL  Postgres connection string; unset = an embedded Postgres under DATA_DIR
  DATA_DIR      where the embedded Postgres keeps its data (default: .data/ in the project)
  HOST, PORT    where to listen (default: 127.0.0.1, 4000)
  LOG_LEVEL     fatal, error, warn, info (default), debug, trace or silent`

const program = new Command('attest')
  .description('A GraphQL service over a database of political-violence and terrorism events.')
  .addHelpText('after', environment)
  .showHelpAfterError()

program
  .command('serve')
  .description('migrate the database and serve the API until Ctrl-C (what `npm start` runs)')
  .addHelpText('after', environment)
  .action(() => withConfig((config, logger) => serve(config, logger)))

program
  .command('migrate')
  .description('apply the pending migrations in sql/ to the database')
  .addHelpText('after', environment)
  .action(() => withConfig((config, logger) => migrate(config, logger)))

program
  .command('demo')
  .description('the demo data set (the 3 January 2019 Sidi Bouzid raid and what it mentions)')
  .command('load')
  .description('load the demo data set into the database; a second load changes nothing')
  .addHelpText('after', environment)
  .action(() =>
    withConfig(async (config, logger) => {
      const result = await loadDemo(config, logger)
      console.log(
        result.status === 'loaded'
          ? `demo data loaded: ${result.events} events`
          : 'demo data already loaded: nothing changed',
      )
    }),
  )

/** Loads the configuration (a bad value exits 2 naming the variable) and runs the command. */
async function withConfig(action: (config: Config, logger: Logger) => Promise<void>) {
  let config: Config
  try {
    config = loadConfig()
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    console.error(`attest: ${error.message}`)
    process.exit(2)
  }
  const logger = createLogger(config.logLevel)
  try {
    await action(config, logger)
  } catch (error) {
    logger.fatal({ err: error }, (error as Error).message)
    console.error(`attest: ${(error as Error).message}`)
    process.exit(1)
  }
}

await program.parseAsync()
