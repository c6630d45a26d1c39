import { badUserInput } from './errors.js'

/** Types that have a global id (the Node interface's implementations). */
export const nodeTypes = [
  'Event',
  'EventType',
  'CasualtyFigure',
  'ArmedGroup',
  'GroupRelation',
  'Person',
  'Membership',
  'Source',
  'Report',
  'Claim',
  'Place',
  'Revision',
  'EventDraft',
] as const
export type NodeType = (typeof nodeTypes)[number]

/** Global ids are opaque to clients: base64url of "Type:databaseId". */
export function toGlobalId(type: NodeType, id: number): string {
  return Buffer.from(`${type}:${id}`).toString('base64url')
}

export interface DecodedId {
  readonly type: NodeType
  readonly id: number
}

/** Decodes any global id; a malformed one is a BAD_USER_INPUT naming the argument. */
export function fromGlobalId(globalId: string, argument: string): DecodedId {
  const decoded = /^[A-Za-z0-9_-]{1,64}$/.test(globalId)
    ? Buffer.from(globalId, 'base64url').toString()
    : ''
  const match = /^([A-Za-z]+):([1-9]\d{0,15})$/.exec(decoded)
  const type = match?.[1] as NodeType | undefined
  if (!match || !type || !nodeTypes.includes(type)) {
    throw badUserInput(`${argument} is not a valid id`, argument, 'global_id')
  }
  return { type, id: Number(match[2]) }
}

/** Decodes a global id that must be of the given type. */
export function idOfType(globalId: string, type: NodeType, argument: string): number {
  const decoded = fromGlobalId(globalId, argument)
  if (decoded.type !== type) {
    throw badUserInput(
      `${argument} is the id of a ${decoded.type}, not of a ${type}`,
      argument,
      'id_type',
    )
  }
  return decoded.id
}
