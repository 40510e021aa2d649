import { redact } from './gmail/redact'; // allowed: the logger is built on redaction
export const log = [redact];
