/**
 * Ownership tags every guardrail and its key must carry. They are applied as the tags `Owner`,
 * `Workload` and `DataSensitivity` to both.
 */
export interface MandatoryTags {
  /**
   * The team or person accountable for the guardrail and its key (tag `Owner`).
   */
  readonly owner: string;

  /**
   * The application or workload the guardrail protects (tag `Workload`).
   */
  readonly workload: string;

  /**
   * The classification of the data the guardrail's policies describe, for example `confidential`
   * (tag `DataSensitivity`).
   */
  readonly dataSensitivity: string;
}
