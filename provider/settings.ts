/**
 * Where the provider's credentials come from: stack config (`boosted:*`), an explicit
 * `Provider`'s inputs, or `BOOSTED_*` environment variables, in that order.
 *
 * The table below is the single mapping between setting, config key and variable; a test pins it.
 */
import { BoostedClient, InvalidInputError } from "../sdk";

export const SETTINGS = {
  baseUrl: { configKey: "boosted:baseUrl", envVar: "BOOSTED_BASE_URL", secret: false },
  tokenUrl: { configKey: "boosted:tokenUrl", envVar: "BOOSTED_TOKEN_URL", secret: false },
  audience: { configKey: "boosted:audience", envVar: "BOOSTED_AUDIENCE", secret: false },
  clientId: { configKey: "boosted:clientId", envVar: "BOOSTED_CLIENT_ID", secret: false },
  clientSecret: { configKey: "boosted:clientSecret", envVar: "BOOSTED_CLIENT_SECRET", secret: true },
  privateKey: { configKey: "boosted:privateKey", envVar: "BOOSTED_PRIVATE_KEY", secret: true },
  keyId: { configKey: "boosted:keyId", envVar: "BOOSTED_KEY_ID", secret: false },
  /** Per-attempt HTTP timeout in ms (optional; default 30000). */
  timeoutMs: { configKey: "boosted:timeoutMs", envVar: "BOOSTED_TIMEOUT_MS", secret: false },
} as const;

export type SettingName = keyof typeof SETTINGS;
export type Settings = Partial<Record<SettingName, string>>;

/** Settings that must be present before the first API call (`tokenUrl` has a default). */
const REQUIRED: readonly SettingName[] = [
  "baseUrl",
  "audience",
  "clientId",
  "clientSecret",
  "privateKey",
  "keyId",
];

/**
 * Reads settings from a configuration bag (stack config keys like `boosted:baseUrl`, or an
 * explicit provider's inputs keyed by the bare name) and the environment. Nothing is checked
 * here: a preview of new resources needs no credentials, so a missing one only becomes an error
 * when an API call needs it.
 */
export function resolveSettings(
  raw: Record<string, unknown>,
  env: NodeJS.ProcessEnv = process.env,
): Settings {
  const out: Settings = {};
  for (const [name, s] of Object.entries(SETTINGS) as [SettingName, (typeof SETTINGS)[SettingName]][]) {
    const value = [raw[s.configKey], raw[name], env[s.envVar]].find(
      (v) => typeof v === "string" && v.trim() !== "",
    );
    if (typeof value === "string") out[name] = value;
  }
  return out;
}

/** Builds a client, or says exactly which settings are missing and where to put them. */
export function clientFromSettings(settings: Settings): BoostedClient {
  const missing = REQUIRED.filter((name) => !settings[name]);
  if (missing.length > 0) {
    const list = missing.map((n) => `${SETTINGS[n].configKey} (or ${SETTINGS[n].envVar})`).join(", ");
    throw new InvalidInputError(
      `Boosted credentials are missing: ${list}. Set them with \`pulumi config set [--secret] <key> <value>\`, ` +
        `as environment variables, or as inputs of an explicit boosted Provider.`,
    );
  }
  let timeoutMs: number | undefined;
  if (settings.timeoutMs !== undefined) {
    timeoutMs = Number(settings.timeoutMs);
    if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) {
      throw new InvalidInputError(
        `${SETTINGS.timeoutMs.configKey} (${SETTINGS.timeoutMs.envVar}) must be a whole number of milliseconds, got "${settings.timeoutMs}".`,
      );
    }
  }
  try {
    return new BoostedClient({
      baseUrl: settings.baseUrl!,
      tokenUrl: settings.tokenUrl,
      audience: settings.audience!,
      clientId: settings.clientId!,
      clientSecret: settings.clientSecret!,
      privateKey: settings.privateKey!,
      keyId: settings.keyId!,
      timeoutMs,
    });
  } catch (err) {
    // Name the config key rather than the client option the user never typed.
    if (err instanceof InvalidInputError) {
      let message = err.message;
      for (const [name, s] of Object.entries(SETTINGS)) {
        message = message.replace(new RegExp(`\\b${name}\\b`, "g"), `${s.configKey} (${s.envVar})`);
      }
      throw new InvalidInputError(message);
    }
    throw err;
  }
}
