import { createReadStream } from 'node:fs'
import { Transform } from 'node:stream'

/**
 * How a dataset file's bytes are read. `utf-8`: strictly (a byte that is not UTF-8 refuses the
 * file, naming its line); `windows-1252`: as Windows-1252 (which reads Latin-1 files the same);
 * `auto`: UTF-8 when the whole file is, else Windows-1252, with a warning naming the first line
 * that is not UTF-8. A UTF-8 byte order mark is accepted.
 */
export const encodings = ['auto', 'utf-8', 'windows-1252'] as const
export type Encoding = (typeof encodings)[number]

export class EncodingError extends Error {
  override name = 'EncodingError'
}

export interface FileEncoding {
  readonly decoder: 'utf-8' | 'windows-1252'
  /** In `auto`, the first line that was not UTF-8: the file was read as Windows-1252. */
  readonly convertedFromLine?: number
}

/**
 * Reads the file once, in constant memory, to choose how to decode it before anything is
 * written: a file that is not UTF-8 is refused or converted whole, never half-imported.
 */
export async function checkEncoding(file: string, encoding: Encoding): Promise<FileEncoding> {
  if (encoding === 'windows-1252') return { decoder: 'windows-1252' }
  const utf8 = new TextDecoder('utf-8', { fatal: true })
  let lines = 1
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    try {
      utf8.decode(chunk, { stream: true })
    } catch {
      const line = lines + newlinesBefore(chunk, firstNonAscii(chunk))
      if (encoding === 'utf-8')
        throw new EncodingError(
          `${file}, line ${line}, is not UTF-8 (a Windows-1252 or Latin-1 file? give --encoding windows-1252)`,
        )
      return { decoder: 'windows-1252', convertedFromLine: line }
    }
    lines += newlinesBefore(chunk, chunk.length)
  }
  return { decoder: 'utf-8' }
}

const firstNonAscii = (chunk: Buffer) => {
  const index = chunk.findIndex((byte) => byte >= 0x80)
  return index < 0 ? chunk.length : index
}

function newlinesBefore(chunk: Buffer, end: number): number {
  let count = 0
  for (let index = 0; index < end; index++) if (chunk[index] === 0x0a) count++
  return count
}

/** Bytes to text as the check chose, chunk by chunk. */
export function decodingStream({ decoder }: FileEncoding): Transform {
  const text = new TextDecoder(decoder)
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      done(null, text.decode(chunk, { stream: true }))
    },
    flush(done) {
      done(null, text.decode())
    },
  })
}
