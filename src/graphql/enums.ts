// GraphQL enum values are the database's enum values in upper case (DAY ↔ day).
export const toApiEnum = <T extends string>(value: T) => value.toUpperCase() as Uppercase<T>
export const toDbEnum = <T extends string>(value: T) => value.toLowerCase() as Lowercase<T>
