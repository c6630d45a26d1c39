import { inject } from 'vitest'

/**
 * The service's image when the API tests run against the service in its container, as a
 * frontend's contract tests would (`npm run test:containers` sets it; see containers/test.sh).
 */
export function apiServiceImage(env = process.env): string | undefined {
  return env.ATTEST_SERVICE_IMAGE?.trim() || undefined
}

/** The port the service listens on inside its container (Dockerfile's ENV PORT). */
const servicePort = 4000

export interface ServiceContainer {
  /** The service's address on this machine: the container's published port. */
  readonly origin: string
  stop(): Promise<void>
}

/**
 * Starts the service's image with `env`, its database URLs pointed at the test server as other
 * containers reach it, and waits until it says it is ready (/readyz), as a load balancer would:
 * a service that answers only /healthz may still refuse subscriptions (its change hub starts
 * after its database check). Tests that give the service a database that is away on purpose run
 * it in their process (they read its logs).
 */
export async function startServiceContainer(
  image: string,
  env: Record<string, string>,
): Promise<ServiceContainer> {
  const { GenericContainer, Wait } = await import('testcontainers')
  const container = await new GenericContainer(image)
    .withEnvironment({
      ...env,
      DATABASE_URL: reachableFromContainers(env.DATABASE_URL as string),
      ...(env.DATABASE_READ_URL && {
        DATABASE_READ_URL: reachableFromContainers(env.DATABASE_READ_URL),
      }),
      HOST: '0.0.0.0',
      PORT: String(servicePort),
    })
    .withLabels({ 'org.attest.tests': 'service' })
    .withExposedPorts(servicePort)
    .withWaitStrategy(Wait.forHttp('/readyz', servicePort))
    .withStartupTimeout(60_000)
    .start()
  return {
    origin: `http://${container.getHost()}:${container.getMappedPort(servicePort)}`,
    stop: async () => {
      await container.stop({ timeout: 10_000 })
    },
  }
}

/** A URL of the test server (as this process reaches it) as other containers reach it. */
function reachableFromContainers(databaseUrl: string): string {
  const address = inject('postgresAddressForContainers')
  if (!address) {
    throw new Error(
      'ATTEST_SERVICE_IMAGE needs the test Postgres in a container too (ATTEST_POSTGRES_IMAGE, an engine)',
    )
  }
  const url = new URL(databaseUrl)
  url.host = address
  return url.toString()
}
