export const ROLES = [
  'admin',
  'procurement',
  'product_owner',
  'integration',
  'reporter',
  'viewer',
] as const;

export type Role = (typeof ROLES)[number];
