/** A key naming one service of a release in logs and records (its key under `services`). */
export const SERVICE_KEY = /^[a-z0-9][a-z0-9_-]{0,39}$/;
export const SERVICE_KEY_RULE = "up to 40 lowercase letters, digits, '_' and '-'";
