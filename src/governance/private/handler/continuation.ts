import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { ConfigRuleInvocation } from './invocation-event';
import { callFailed } from './sdk';

/*
 * The follow-up invocation of a run that ran out of time: the function invokes itself asynchronously
 * (Lambda Invoke, InvocationType Event) with the continuation in the event. Lambda keeps the event in
 * its asynchronous queue (and retries it, then sends it to the dead-letter queue), so the run's state
 * lives where AWS already keeps it, with no table of its own. Invoking the function by its name (no
 * qualifier) needs exactly `lambda:InvokeFunction` on the function's ARN.
 *
 * The call is the SDK's, with the client's retry policy (SDK_CLIENT_CONFIG: throttling, server and
 * network errors are tried again) and endpoint (the Region's, or AWS_ENDPOINT_URL_LAMBDA /
 * AWS_ENDPOINT_URL when set).
 */

/** Invokes `functionName` asynchronously with `event`; fails, naming the call, when Lambda does not queue it. */
export function lambdaSelfInvoker(lambda: LambdaClient, functionName: string): (event: ConfigRuleInvocation) => Promise<void> {
  const call = `lambda:InvokeFunction of ${functionName}`;
  return async (event) => {
    let status: number | undefined;
    try {
      ({ StatusCode: status } = await lambda.send(new InvokeCommand({ FunctionName: functionName, InvocationType: 'Event', Payload: JSON.stringify(event) })));
    } catch (error) {
      throw new Error(callFailed(call, error), { cause: error });
    }
    // 202: Lambda queued the event; any other answer means it will not run the follow-up.
    if (status !== 202) throw new Error(`${call} answered HTTP ${status}, not 202: the follow-up invocation was not queued`);
  };
}
