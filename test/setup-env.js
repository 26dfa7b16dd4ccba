// Tests must never pick up an operator's real endpoints or secrets from the environment.
for (const key of Object.keys(process.env)) {
  if (/^(XIAOMAN|KINGDEE)_/.test(key)) delete process.env[key];
}
process.env.LOG_LEVEL = process.env.LOG_LEVEL || 'silent';
