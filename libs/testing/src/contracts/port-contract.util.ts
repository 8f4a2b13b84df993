import { randomUUID } from 'node:crypto';

/** What a contract's tests reach: the subject (set before the first test), and two workspaces. */
export interface PortContractSuite<S> {
  under: S;
  readonly workspace: string;
  readonly other: string;
}

/**
 * The frame every port contract shares: one subject for the suite, created before its tests and
 * closed after them, and two fresh workspaces (what is the caller's, and another one's).
 */
export function describePortContract<S extends { close(): Promise<void> }>(
  title: string,
  create: () => Promise<S>,
  tests: (suite: PortContractSuite<S>) => void,
): void {
  describe(title, () => {
    const suite = { under: undefined as unknown as S, workspace: randomUUID(), other: randomUUID() };

    beforeAll(async () => {
      suite.under = await create();
    });

    afterAll(async () => {
      await (suite.under as S | undefined)?.close();
    });

    tests(suite);
  });
}
