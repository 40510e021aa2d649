export class DataDirNotWritableError extends Error {}
