/*
 * The AWS KMS list price of a customer-managed key, with its date and source: the one figure behind
 * the compliance report's cost estimate and the Config rule's orphaned-key cost KPI. Plain values,
 * because the rule's handler is bundled without aws-cdk-lib. When the price is read again, the date
 * changes with it.
 */

/** The day the price below was read on the AWS KMS pricing page. */
export const KEY_PRICE_READ_ON = '2026-11-29';

/**
 * The monthly base price of one customer-managed key in US dollars (us-east-1 list price). Each of the
 * first two automatic rotations adds $1/month (not included here); requests are billed separately.
 */
export const KEY_MONTHLY_COST_USD = 1;

/** Where the price comes from, stated with the estimates that use it. */
export const KEY_PRICE_SOURCE = `AWS KMS pricing page, us-east-1 list price, read ${KEY_PRICE_READ_ON}: `
  + `$${KEY_MONTHLY_COST_USD} per customer-managed key-month, plus $1/month for each of the first two automatic rotations; `
  + 'requests billed separately';
