/**
 * TEST INFRASTRUCTURE (engine stand-in). Passphrase secrets, in the format of Pulumi's
 * passphrase secrets provider: a key derived with PBKDF2-SHA256 from `PULUMI_CONFIG_PASSPHRASE`
 * and the stack's salt, values sealed with AES-256-GCM as `v1:<nonce>:<ciphertext+tag>`.
 * Stack config holds `secure:` values in that form, and the state file holds secrets as
 * Pulumi does: `{ "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "ciphertext": "v1:…" }`.
 */
import { createCipheriv, createDecipheriv, pbkdf2Sync, randomBytes } from "node:crypto";

export const SECRET_SIG = "4dabf18193072939515e22adb298388d";
export const SECRET_VALUE = "1b47061264138c4ac30d75fd1eb44270";

const keys = new Map<string, Buffer>();

export class Crypter {
  private constructor(private readonly key: Buffer) {}

  /** Opens the stack's crypter from its `encryptionsalt`, checking the passphrase. */
  static open(passphrase: string, encryptionSalt: string): Crypter {
    const [v, salt, ...check] = encryptionSalt.split(":");
    if (v !== "v1" || !salt || check.length !== 3) throw new Error("the stack's encryptionsalt is malformed");
    const crypter = new Crypter(deriveKey(passphrase, salt));
    try {
      if (crypter.decrypt(check.join(":")) !== "pulumi") throw new Error();
    } catch {
      throw new Error("incorrect passphrase: PULUMI_CONFIG_PASSPHRASE does not open this stack's secrets");
    }
    return crypter;
  }

  /** A new salt (and its check value) for a stack, with the crypter for it. */
  static create(passphrase: string): { crypter: Crypter; encryptionSalt: string } {
    const salt = randomBytes(8).toString("base64");
    const crypter = new Crypter(deriveKey(passphrase, salt));
    return { crypter, encryptionSalt: `v1:${salt}:${crypter.encrypt("pulumi")}` };
  }

  encrypt(plaintext: string): string {
    const nonce = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.key, nonce);
    const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final(), cipher.getAuthTag()]);
    return `v1:${nonce.toString("base64")}:${body.toString("base64")}`;
  }

  decrypt(sealed: string): string {
    const [v, nonce, body] = sealed.split(":");
    if (v !== "v1" || !nonce || !body) throw new Error("malformed ciphertext");
    const data = Buffer.from(body, "base64");
    const decipher = createDecipheriv("aes-256-gcm", this.key, Buffer.from(nonce, "base64"));
    decipher.setAuthTag(data.subarray(data.length - 16));
    return Buffer.concat([decipher.update(data.subarray(0, data.length - 16)), decipher.final()]).toString(
      "utf8",
    );
  }

  /** Replaces every secret-marked value (`{sig, value}`) by its sealed form, deeply. */
  sealSecrets(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((v) => this.sealSecrets(v));
    if (value && typeof value === "object") {
      const o = value as Record<string, unknown>;
      if (o[SECRET_SIG] === SECRET_VALUE && "value" in o) {
        return { [SECRET_SIG]: SECRET_VALUE, ciphertext: this.encrypt(JSON.stringify(o.value ?? null)) };
      }
      return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, this.sealSecrets(v)]));
    }
    return value;
  }

  /** The inverse of {@link sealSecrets}: sealed secrets become `{sig, value}` again. */
  openSecrets(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((v) => this.openSecrets(v));
    if (value && typeof value === "object") {
      const o = value as Record<string, unknown>;
      if (o[SECRET_SIG] === SECRET_VALUE && typeof o.ciphertext === "string") {
        return { [SECRET_SIG]: SECRET_VALUE, value: JSON.parse(this.decrypt(o.ciphertext)) as unknown };
      }
      return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, this.openSecrets(v)]));
    }
    return value;
  }
}

function deriveKey(passphrase: string, salt: string): Buffer {
  const id = `${salt}\u0000${passphrase}`;
  let key = keys.get(id);
  if (!key) {
    // Pulumi's passphrase provider uses 1,000,000 iterations; derived once per process.
    key = pbkdf2Sync(passphrase, Buffer.from(salt, "base64"), 1_000_000, 32, "sha256");
    keys.set(id, key);
  }
  return key;
}

/** Marks a value secret the way the engine's wire protocol does. */
export const secretValue = (value: unknown) => ({ [SECRET_SIG]: SECRET_VALUE, value });

export function isSecret(value: unknown): value is { value: unknown } {
  return Boolean(
    value && typeof value === "object" && (value as Record<string, unknown>)[SECRET_SIG] === SECRET_VALUE,
  );
}

/** Removes secret markers, keeping the values (what a provider that takes no secrets receives). */
export function unwrapSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(unwrapSecrets);
  if (value && typeof value === "object") {
    if (isSecret(value)) return unwrapSecrets(value.value);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrapSecrets(v)]));
  }
  return value;
}
