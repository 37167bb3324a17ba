import * as fs from 'fs';
import * as path from 'path';

/**
 * The sample events of AWS documentation (and, for Bedrock guardrail calls, which AWS documents no
 * sample of, a published detection rule's), as EventBridge delivers them: sources and every change
 * made to them are in fixtures/events/SOURCES.md.
 */
export function documentedEvent(name: string): any {
  return JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'events', `${name}.json`), 'utf-8'));
}

/** The key ARN a documented KMS event is about: CloudTrail's `resources`, or the event's own for KMS events. */
export function keyArnOf(event: any): string {
  const arn = event.detail?.resources?.[0]?.ARN ?? event.resources?.[0];
  if (typeof arn !== 'string') throw new Error(`the event ${event['detail-type']} names no key`);
  return arn;
}
