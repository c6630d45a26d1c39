import { rename, writeFile } from 'node:fs/promises'
import { Gauge, Registry } from 'prom-client'
import type { ImportProgress, ImportSummary } from '../import/run-import.js'

/**
 * An import's progress as a Prometheus text file, rewritten whole (write, then rename) after
 * each batch: an import is a command, not a server, so Prometheus reads it through
 * node_exporter's textfile collector rather than by scraping.
 */
export class ImportMetricsFile {
  readonly #registry = new Registry()
  readonly #gauge = (name: string, help: string) =>
    new Gauge({ name, help, labelNames: ['dataset', 'release'], registers: [this.#registry] })
  readonly #rows = this.#gauge('attest_import_rows', 'Rows of the file read so far')
  readonly #bytes = this.#gauge('attest_import_bytes_read', 'Bytes of the file read so far')
  readonly #totalBytes = this.#gauge('attest_import_bytes_total', 'Size of the file')
  readonly #elapsed = this.#gauge('attest_import_elapsed_seconds', 'Time since the import began')
  readonly #finished = this.#gauge('attest_import_finished', '1 once the import has finished')
  // Progress arrives synchronously; the writes run one after another in that order.
  #written: Promise<void> = Promise.resolve()

  constructor(
    private readonly file: string,
    dataset: string,
    release: string,
  ) {
    this.#registry.setDefaultLabels({ dataset, release })
  }

  update({ rows, bytes, totalBytes, elapsedMs }: ImportProgress): void {
    this.#rows.set(rows)
    this.#bytes.set(bytes)
    this.#totalBytes.set(totalBytes)
    this.#elapsed.set(elapsedMs / 1000)
    this.#finished.set(0)
    this.#write()
  }

  /** Records the final row count and waits for every write. */
  async finish(summary: ImportSummary): Promise<void> {
    this.#rows.set(summary.rows)
    this.#finished.set(1)
    this.#write()
    await this.#written
  }

  #write(): void {
    const temporary = `${this.file}.${process.pid}.tmp`
    this.#written = this.#written.then(async () => {
      await writeFile(temporary, await this.#registry.metrics())
      await rename(temporary, this.file)
    })
  }
}
