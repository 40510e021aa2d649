/**
 * A local Gmail API + OAuth emulator for tests, benchmarks and demo mode. Point googleapis at
 * `emu.gmailApiUrl` (rootUrl) and google-auth-library's OAuth2Client at `emu.oauth`.
 */
export { startEmulator } from './emulator';
export type {
  Emulator,
  EmulatorOptions,
  EmulatorStats,
  FaultKind,
  FaultOptions,
  GroundTruth,
  GroundTruthLabel,
  GroundTruthMessage,
  LatencyOptions,
  Mailbox,
  MailboxSpec,
  QuotaOptions,
} from './types';
