export const redact = 1;
