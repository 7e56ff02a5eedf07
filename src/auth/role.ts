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

/** Roles that change engagements and what belongs to them; a product owner only their own. */
export const CHANGE_ROLES: Role[] = ['admin', 'procurement', 'product_owner'];
