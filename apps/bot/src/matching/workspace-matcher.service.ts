import { Injectable } from '@nestjs/common';
import type { ArticleView } from '@switchboard/contracts';
import { InjectConfig, createLogger, type ConfigOf } from '@switchboard/platform';
import { BotConfig } from '../bot.config.js';
import { ArticleRepository } from '../knowledge-base/article.repository.js';
import {
  calibratedPolicy,
  decideAnswer,
  uncalibratedPolicy,
  type AnswerDecision,
  type AnswerPolicy,
} from './answer-decision.js';
import type { Matcher } from './matcher.js';
import { trainMatcherOffThread } from './matcher-training.util.js';

/** Below this many questions in published articles, the configured threshold is used. */
const CALIBRATION_MIN_QUESTIONS = 100;

interface TrainedBase {
  readonly revision: number;
  readonly matcher: Matcher;
  readonly policy: AnswerPolicy;
  readonly articles: ReadonlyMap<string, ArticleView>;
}

export type WorkspaceAnswer =
  | { kind: 'answer'; article: ArticleView; confidence: number; threshold: number }
  | { kind: 'decline'; confidence: number; threshold: number };

/**
 * A trained matcher per workspace, over its published articles, retrained when the workspace's
 * revision moves — in a worker thread (matcher-training.util), one training at a time per
 * workspace. Customers' questions meanwhile get the previous model's answers; only a workspace
 * with no model yet waits for its first (and an admin's `tryQuestion` for the latest).
 */
@Injectable()
export class WorkspaceMatcherService {
  private readonly logger = createLogger('bot.matcher');
  private readonly trained = new Map<string, TrainedBase>();
  private readonly training = new Map<string, Promise<TrainedBase>>();

  constructor(
    private readonly articles: ArticleRepository,
    @InjectConfig(BotConfig) private readonly config: ConfigOf<typeof BotConfig>,
  ) {}

  async answer(
    workspaceId: string,
    question: string,
    options: { latest?: boolean } = {},
  ): Promise<WorkspaceAnswer> {
    const base = await this.current(workspaceId, options.latest ?? false);
    const decision: AnswerDecision = decideAnswer(base.matcher.match(question), base.policy);
    const threshold = base.policy.threshold;
    const article = decision.kind === 'answer' ? base.articles.get(decision.articleId) : undefined;
    if (decision.kind === 'decline' || article === undefined)
      return { kind: 'decline', confidence: decision.confidence, threshold };
    return { kind: 'answer', article, confidence: decision.confidence, threshold };
  }

  private async current(workspaceId: string, latest: boolean): Promise<TrainedBase> {
    const revision = await this.articles.revision(workspaceId);
    const known = this.trained.get(workspaceId);
    if (known && known.revision >= revision) return known;
    let pending = this.training.get(workspaceId);
    if (!pending) {
      pending = this.train(workspaceId, revision).finally(() => this.training.delete(workspaceId));
      this.training.set(workspaceId, pending);
      pending.catch((error: unknown) =>
        this.logger.warn(
          { err: error, workspaceId },
          'bot: training the matcher failed; the next question retries',
        ),
      );
    }
    if (known && !latest) return known;
    return pending;
  }

  private async train(workspaceId: string, revision: number): Promise<TrainedBase> {
    const published = await this.articles.all(workspaceId, 'published');
    const set = { articles: published.map((a) => ({ id: a.id, questions: a.questions })) };
    const questions = published.reduce((sum, a) => sum + a.questions.length, 0);
    const calibrate = questions >= CALIBRATION_MIN_QUESTIONS;
    const trained = await trainMatcherOffThread(set, calibrate);
    const base: TrainedBase = {
      revision,
      matcher: trained.matcher,
      policy:
        calibrate && trained.threshold !== null
          ? calibratedPolicy(trained.threshold)
          : uncalibratedPolicy(this.config.BOT_ANSWER_THRESHOLD),
      articles: new Map(published.map((a) => [a.id, a])),
    };
    const latest = this.trained.get(workspaceId);
    if (!latest || latest.revision <= revision) this.trained.set(workspaceId, base);
    return base;
  }
}
