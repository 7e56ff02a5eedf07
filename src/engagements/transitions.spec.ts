import type { EngagementStatus } from './engagement-status.js';
import {
  type EngagementAction,
  type EngagementFacts,
  TRANSITIONS,
  unmetPreconditions,
} from './transitions.js';

/** Facts under which every precondition of every action holds; only the status varies. */
const facts = (overrides: Partial<EngagementFacts> = {}): EngagementFacts => ({
  status: 'draft',
  finalHandoverCount: 1,
  finalHandoverCompleted: true,
  artifactCount: 3,
  unacceptedArtifactCount: 0,
  knowledgeRecipientCount: 2,
  independentOperatorCount: 2,
  minIndependentOperators: 2,
  ...overrides,
});

const codes = (action: EngagementAction, overrides: Partial<EngagementFacts>): string[] =>
  unmetPreconditions(action, facts(overrides)).map((unmet) => unmet.code);

describe('TRANSITIONS', () => {
  it.each<[EngagementAction, EngagementStatus, EngagementStatus[]]>([
    ['activate', 'active', ['draft']],
    ['complete', 'completed', ['active']],
    ['cancel', 'cancelled', ['draft', 'active']],
  ])('%s leads to %s from %j', (action, to, from) => {
    expect(TRANSITIONS[action].to).toBe(to);
    expect(TRANSITIONS[action].from).toEqual(from);
  });

  it('defines exactly the activate, complete and cancel actions', () => {
    expect(Object.keys(TRANSITIONS).sort()).toEqual(['activate', 'cancel', 'complete']);
  });
});

describe('unmetPreconditions', () => {
  describe('status', () => {
    it.each<[EngagementAction, EngagementStatus, boolean]>([
      ['activate', 'draft', true],
      ['activate', 'active', false],
      ['activate', 'completed', false],
      ['activate', 'cancelled', false],
      ['complete', 'draft', false],
      ['complete', 'active', true],
      ['complete', 'completed', false],
      ['complete', 'cancelled', false],
      ['cancel', 'draft', true],
      ['cancel', 'active', true],
      ['cancel', 'completed', false],
      ['cancel', 'cancelled', false],
    ])('%s from %s is allowed: %s', (action, status, allowed) => {
      expect(codes(action, { status })).toEqual(allowed ? [] : ['INVALID_STATUS']);
    });

    it.each<[EngagementAction, EngagementStatus, string]>([
      ['activate', 'active', 'The engagement is active; activate needs status draft.'],
      ['complete', 'draft', 'The engagement is draft; complete needs status active.'],
      ['cancel', 'completed', 'The engagement is completed; cancel needs status draft or active.'],
      ['cancel', 'cancelled', 'The engagement is cancelled; cancel needs status draft or active.'],
    ])('explains why %s from %s is not allowed', (action, status, message) => {
      expect(unmetPreconditions(action, facts({ status }))).toEqual([
        { code: 'INVALID_STATUS', message },
      ]);
    });
  });

  describe('activate', () => {
    it.each<[string, Partial<EngagementFacts>, string[]]>([
      ['nothing is missing', {}, []],
      ['there is no final handover', { finalHandoverCount: 0 }, ['NO_FINAL_HANDOVER']],
      ['there are two final handovers', { finalHandoverCount: 2 }, ['NO_FINAL_HANDOVER']],
      ['there are no artifacts', { artifactCount: 0 }, ['NO_KT_ARTIFACTS']],
      [
        'there are no knowledge recipients',
        { knowledgeRecipientCount: 0 },
        ['NO_KNOWLEDGE_RECIPIENTS'],
      ],
      [
        'everything is missing',
        { finalHandoverCount: 0, artifactCount: 0, knowledgeRecipientCount: 0 },
        ['NO_FINAL_HANDOVER', 'NO_KT_ARTIFACTS', 'NO_KNOWLEDGE_RECIPIENTS'],
      ],
      [
        'everything is missing and the engagement is active',
        { status: 'active', finalHandoverCount: 0, artifactCount: 0, knowledgeRecipientCount: 0 },
        ['INVALID_STATUS', 'NO_FINAL_HANDOVER', 'NO_KT_ARTIFACTS', 'NO_KNOWLEDGE_RECIPIENTS'],
      ],
      [
        'the engagement is cancelled and has no artifacts',
        { status: 'cancelled', artifactCount: 0 },
        ['INVALID_STATUS', 'NO_KT_ARTIFACTS'],
      ],
    ])('lists %s', (_label, overrides, expected) => {
      expect(codes('activate', { status: 'draft', ...overrides })).toEqual(expected);
    });

    it('ignores the completion facts', () => {
      expect(
        codes('activate', { finalHandoverCompleted: false, unacceptedArtifactCount: 3 }),
      ).toEqual([]);
    });

    it('explains each unmet precondition', () => {
      expect(
        unmetPreconditions(
          'activate',
          facts({ finalHandoverCount: 0, artifactCount: 0, knowledgeRecipientCount: 0 }),
        ),
      ).toEqual([
        {
          code: 'NO_FINAL_HANDOVER',
          message: 'A final_handover milestone with a due date is required.',
        },
        {
          code: 'NO_KT_ARTIFACTS',
          message: 'At least one knowledge-transfer artifact is required.',
        },
        {
          code: 'NO_KNOWLEDGE_RECIPIENTS',
          message: 'At least one knowledge recipient is required.',
        },
      ]);
    });
  });

  describe('complete', () => {
    it.each<[string, Partial<EngagementFacts>, string[]]>([
      ['nothing is missing', {}, []],
      ['nothing is missing with no artifacts at all', { artifactCount: 0 }, []],
      [
        'the final handover is not completed',
        { finalHandoverCompleted: false },
        ['FINAL_HANDOVER_NOT_COMPLETED'],
      ],
      ['an artifact is not accepted', { unacceptedArtifactCount: 1 }, ['ARTIFACTS_NOT_ACCEPTED']],
      [
        'one independent operator of two required is missing',
        { independentOperatorCount: 1 },
        ['INDEPENDENT_OPERATORS_MISSING'],
      ],
      [
        'no independent operator when none is required',
        { independentOperatorCount: 0, minIndependentOperators: 0 },
        [],
      ],
      [
        'more independent operators than required',
        { independentOperatorCount: 3, minIndependentOperators: 1 },
        [],
      ],
      [
        'everything is missing',
        { finalHandoverCompleted: false, unacceptedArtifactCount: 2, independentOperatorCount: 0 },
        ['FINAL_HANDOVER_NOT_COMPLETED', 'ARTIFACTS_NOT_ACCEPTED', 'INDEPENDENT_OPERATORS_MISSING'],
      ],
      [
        'everything is missing and the engagement is draft',
        { status: 'draft', finalHandoverCompleted: false, unacceptedArtifactCount: 2 },
        ['INVALID_STATUS', 'FINAL_HANDOVER_NOT_COMPLETED', 'ARTIFACTS_NOT_ACCEPTED'],
      ],
    ])('lists %s', (_label, overrides, expected) => {
      expect(codes('complete', { status: 'active', ...overrides })).toEqual(expected);
    });

    it('ignores the activation facts', () => {
      expect(
        codes('complete', {
          status: 'active',
          finalHandoverCount: 0,
          knowledgeRecipientCount: 0,
        }),
      ).toEqual([]);
    });

    it('says how many independent operators are required and present', () => {
      expect(
        unmetPreconditions(
          'complete',
          facts({ status: 'active', independentOperatorCount: 1, minIndependentOperators: 3 }),
        ),
      ).toEqual([
        {
          code: 'INDEPENDENT_OPERATORS_MISSING',
          message:
            '3 independent operator(s) are required and 1 have passed a drill without vendor help.',
        },
      ]);
    });

    it.each([1, 4])('says how many artifacts (%i) are not accepted', (count) => {
      expect(
        unmetPreconditions(
          'complete',
          facts({
            status: 'active',
            finalHandoverCompleted: false,
            unacceptedArtifactCount: count,
          }),
        ),
      ).toEqual([
        {
          code: 'FINAL_HANDOVER_NOT_COMPLETED',
          message: 'The final handover milestone must be completed first.',
        },
        {
          code: 'ARTIFACTS_NOT_ACCEPTED',
          message: `${count} knowledge-transfer artifact(s) are not accepted yet.`,
        },
      ]);
    });
  });

  describe('cancel', () => {
    it.each<EngagementStatus>(['draft', 'active'])(
      'allows cancelling a %s engagement whatever its other facts',
      (status) => {
        expect(
          codes('cancel', {
            status,
            finalHandoverCount: 0,
            finalHandoverCompleted: false,
            artifactCount: 0,
            unacceptedArtifactCount: 5,
            knowledgeRecipientCount: 0,
          }),
        ).toEqual([]);
      },
    );

    it.each<EngagementStatus>(['completed', 'cancelled'])(
      'refuses to cancel a %s engagement with INVALID_STATUS only',
      (status) => {
        expect(codes('cancel', { status })).toEqual(['INVALID_STATUS']);
      },
    );
  });
});
