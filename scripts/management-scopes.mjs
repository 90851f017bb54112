// Every scope of the Management API (the demo machine client is granted all of them). The edge's
// own list is `core::admins::ALL_SCOPES`; a native test keeps the two equal.
export const managementScopes = [
  'create:users', 'read:users', 'update:users', 'delete:users',
  'read:connections', 'create:connections', 'update:connections', 'delete:connections',
  'read:clients', 'create:clients', 'update:clients', 'delete:clients', 'update:client_keys',
  'read:client_grants', 'create:client_grants', 'update:client_grants', 'delete:client_grants',
  'read:resource_servers', 'create:resource_servers', 'update:resource_servers',
  'read:stats', 'create:user_tickets', 'read:anomaly_blocks', 'delete:anomaly_blocks',
  'read:guardian_factors', 'update:guardian_factors', 'read:mfa_policies', 'update:mfa_policies',
  'delete:guardian_enrollments', 'read:logs',
  'read:log_streams', 'create:log_streams', 'update:log_streams', 'delete:log_streams',
  'read:hooks', 'create:hooks', 'update:hooks', 'delete:hooks',
];
