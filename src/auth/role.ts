export const ROLES = [
  'admin',
  'procurement',
  'product_owner',
  'integration',
  'reporter',
  'viewer',
] as const;

export type Role = (typeof ROLES)[number];

/** Roles that read the portfolio: vendors, people, engagements, milestones, artifacts, risk. */
export const READ_ROLES: Role[] = [
  'admin',
  'procurement',
  'product_owner',
  'integration',
  'viewer',
];
