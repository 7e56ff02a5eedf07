import type { ProblemItem } from '../common/problem.js';

export const MIN_PROBLEM_LENGTH = 20;

/** Values that say "not decided yet": a vague brief is what Handover exists to prevent. */
const PLACEHOLDERS = new Set([
  'tbd',
  'tba',
  'todo',
  'to do',
  'to be defined',
  'to be determined',
  'to be decided',
  'n/a',
  'na',
  'none',
  'unknown',
  'placeholder',
  'xxx',
  'fixme',
  'lorem ipsum',
]);

/** True for values such as `TBD`, `n/a`, `-`, `?`, `...` or whitespace only. */
export function isPlaceholder(value: string): boolean {
  const normalized = value
    .trim()
    .toLowerCase()
    .replace(/[.!:;]+$/, '');
  if (normalized === '') return true;
  if (/^[\s\-–—_?.…*/\\|#~]+$/.test(value)) return true;
  return PLACEHOLDERS.has(normalized);
}

export interface SpecInput {
  problem?: unknown;
  successMetrics?: unknown;
  constraints?: unknown;
  tradeOffOwnerId?: unknown;
  tradeOffRule?: unknown;
}

/**
 * Every problem of an engagement spec at once: missing fields, too short, placeholders.
 * Types are checked by the DTO; this judges whether the spec says something.
 */
export function validateSpec(spec: SpecInput | undefined): ProblemItem[] {
  if (spec === undefined || spec === null) {
    return ['problem', 'successMetrics', 'constraints', 'tradeOffOwnerId'].map((field) => ({
      field: `spec.${field}`,
      message: `spec.${field} is required`,
    }));
  }
  const problems: ProblemItem[] = [];
  const text = (field: string, value: unknown, minLength = 1): void => {
    if (value === undefined || value === null) {
      problems.push({ field, message: `${field} is required` });
    } else if (typeof value !== 'string') {
      problems.push({ field, message: `${field} must be a string` });
    } else if (isPlaceholder(value)) {
      problems.push({ field, message: `${field} must say something specific, not a placeholder` });
    } else if (value.trim().length < minLength) {
      problems.push({ field, message: `${field} must be at least ${minLength} characters` });
    }
  };

  text('spec.problem', spec.problem, MIN_PROBLEM_LENGTH);

  if (spec.successMetrics === undefined || spec.successMetrics === null) {
    problems.push({ field: 'spec.successMetrics', message: 'spec.successMetrics is required' });
  } else if (!Array.isArray(spec.successMetrics) || spec.successMetrics.length === 0) {
    problems.push({
      field: 'spec.successMetrics',
      message: 'spec.successMetrics needs at least one metric',
    });
  } else {
    spec.successMetrics.forEach((metric: unknown, index) => {
      const at = `spec.successMetrics[${index}]`;
      if (metric === null || typeof metric !== 'object') {
        problems.push({ field: at, message: `${at} must be an object with name and target` });
        return;
      }
      const { name, target, measurement } = metric as Record<string, unknown>;
      text(`${at}.name`, name);
      text(`${at}.target`, target);
      if (measurement !== undefined && measurement !== null) text(`${at}.measurement`, measurement);
    });
  }

  if (spec.constraints === undefined || spec.constraints === null) {
    problems.push({ field: 'spec.constraints', message: 'spec.constraints is required' });
  } else if (!Array.isArray(spec.constraints) || spec.constraints.length === 0) {
    problems.push({
      field: 'spec.constraints',
      message: 'spec.constraints needs at least one constraint',
    });
  } else {
    spec.constraints.forEach((constraint: unknown, index) =>
      text(`spec.constraints[${index}]`, constraint),
    );
  }

  if (spec.tradeOffOwnerId === undefined || spec.tradeOffOwnerId === null) {
    problems.push({ field: 'spec.tradeOffOwnerId', message: 'spec.tradeOffOwnerId is required' });
  }
  if (spec.tradeOffRule !== undefined && spec.tradeOffRule !== null) {
    text('spec.tradeOffRule', spec.tradeOffRule);
  }
  return problems;
}

/**
 * What is wrong with a creation body's spec beyond `problems`, its field validation: the spec
 * is judged whole even when other fields already fail.
 */
export function unnamedSpecProblems(problems: ProblemItem[], spec: unknown): ProblemItem[] {
  const named = new Set(problems.map((problem) => problem.field));
  const input =
    spec !== null && typeof spec === 'object' && !Array.isArray(spec)
      ? (spec as SpecInput)
      : undefined;
  return validateSpec(input).filter((problem) => !named.has(problem.field));
}
