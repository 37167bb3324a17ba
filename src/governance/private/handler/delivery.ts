import { ConfigServiceClient, Evaluation, PutEvaluationsCommand } from '@aws-sdk/client-config-service';

/** Config's limit on evaluations per PutEvaluations call (0 to 100, AWS Config API reference). */
export const PUT_EVALUATIONS_BATCH = 100;

/**
 * How long to wait before each re-send of refused evaluations: the cap of an exponential back-off
 * with full jitter (a random share of it), as the SDK backs off, so that re-sends of several
 * invocations do not fall together.
 */
export const RESEND_BACKOFF_MS = [1_000, 2_000, 4_000];

/** What the delivery of an invocation's evaluations came to. */
export interface DeliveryOutcome {
  /** Evaluations Config accepted. */
  readonly delivered: number;
  /** Evaluations Config still refused after every re-send. */
  readonly refused: number;
  readonly calls: number;
}

/**
 * Sends evaluations to AWS Config as they are found, a batch of 100 as soon as it is full, one batch
 * at a time; evaluations Config refuses (PutEvaluations' FailedEvaluations) are re-sent with back-off
 * when the invocation ends. A call that fails after the SDK's retries fails the invocation, at `finish`.
 */
export class EvaluationDelivery {
  private pending: Evaluation[] = [];
  private refused: Evaluation[] = [];
  private sending: Promise<void> = Promise.resolve();
  private failure: { error: unknown } | undefined;
  private delivered = 0;
  private calls = 0;

  constructor(
    private readonly config: ConfigServiceClient,
    private readonly resultToken: string,
    private readonly log: (line: string) => void,
    private readonly backoffMs: readonly number[] = RESEND_BACKOFF_MS,
  ) {}

  add(evaluation: Evaluation): void {
    this.pending.push(evaluation);
    if (this.pending.length >= PUT_EVALUATIONS_BATCH) this.send(this.pending.splice(0, PUT_EVALUATIONS_BATCH));
  }

  /**
   * Sends what is left, re-sends what Config refused with back-off, and says how it went. An
   * invocation that sent nothing sends an empty set, so that Config records the run.
   */
  async finish(): Promise<DeliveryOutcome> {
    if (this.pending.length > 0 || this.calls === 0) this.send(this.pending.splice(0));
    await this.sending;
    for (const capMs of this.backoffMs) {
      if (this.refused.length === 0 || this.failure) break;
      const again = this.refused.splice(0);
      await new Promise((resolve) => setTimeout(resolve, Math.random() * capMs));
      this.log(`WARNING re-sending ${again.length} evaluation(s) Config refused`);
      for (let i = 0; i < again.length; i += PUT_EVALUATIONS_BATCH) this.send(again.slice(i, i + PUT_EVALUATIONS_BATCH));
      await this.sending;
    }
    if (this.failure) throw this.failure.error;
    for (const evaluation of this.refused) {
      this.log(`ERROR Config refused the evaluation of ${evaluation.ComplianceResourceId} (${evaluation.ComplianceType}) ${this.backoffMs.length + 1} times`);
    }
    return { delivered: this.delivered, refused: this.refused.length, calls: this.calls };
  }

  private send(batch: Evaluation[]): void {
    this.sending = this.sending.then(async () => {
      if (this.failure) return;
      try {
        await this.put(batch);
      } catch (error) {
        this.failure = { error };
      }
    });
  }

  private async put(batch: Evaluation[]): Promise<void> {
    this.calls++;
    const response = await this.config.send(new PutEvaluationsCommand({
      Evaluations: batch,
      ResultToken: this.resultToken,
      // With TestMode, PutEvaluations checks the delivery but records nothing. Config itself always
      // passes a real token; 'TESTMODE' is the token the AWS Config Rules Development Kit (RDK) passes
      // when it runs a rule's function in a test, a convention this handler honours.
      TestMode: this.resultToken === 'TESTMODE',
    }));
    const refused = new Set((response.FailedEvaluations ?? []).map((e) => `${e.ComplianceResourceType} ${e.ComplianceResourceId}`));
    for (const evaluation of batch) {
      if (refused.has(`${evaluation.ComplianceResourceType} ${evaluation.ComplianceResourceId}`)) this.refused.push(evaluation);
      else this.delivered++;
    }
  }
}
