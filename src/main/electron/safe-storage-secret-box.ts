// SecretBox over Electron's safeStorage (the OS keychain / DPAPI / libsecret), for tokens at rest
// in the desktop app: https://www.electronjs.org/docs/latest/api/safe-storage
import type { SafeStorage } from 'electron';
import { SecretBoxError, type SecretBox } from '../gmail/secret-box';

// Marks our ciphertexts so a box can tell its own from the headless key-file format ('mm1.').
const PREFIX = 'ss1.';

export class SafeStorageSecretBox implements SecretBox {
  /**
   * `fallback` decrypts what another box wrote (a mirror first used headless, or written while
   * no keychain was available), so switching boxes never locks an account out.
   */
  constructor(
    private readonly storage: Pick<SafeStorage, 'encryptString' | 'decryptString'>,
    private readonly fallback?: SecretBox,
  ) {}

  // safeStorage's synchronous calls are deprecated in favour of async ones, but SecretBox is
  // synchronous like the store that calls it; they remain supported in Electron 45.
  encrypt(plain: string): string {
    return PREFIX + this.storage.encryptString(plain).toString('base64');
  }

  decrypt(cipher: string): string {
    if (cipher.startsWith(PREFIX)) {
      try {
        return this.storage.decryptString(Buffer.from(cipher.slice(PREFIX.length), 'base64'));
      } catch {
        throw new SecretBoxError('stored secret cannot be decrypted with this system keychain');
      }
    }
    if (this.fallback) return this.fallback.decrypt(cipher);
    throw new SecretBoxError('stored secret has an unknown format');
  }
}
