import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { SignatureV4 } from '@smithy/signature-v4';
import { ConfigRuleInvocation } from './invocation-event';

/*
 * The follow-up invocation of a run that ran out of time: the function invokes itself asynchronously
 * (Lambda Invoke, InvocationType Event) with the continuation in the event. Lambda keeps the event in
 * its asynchronous queue (and retries it, then sends it to the dead-letter queue), so the run's state
 * lives where AWS already keeps it, with no table of its own. Invoking the function by its name (no
 * qualifier) needs exactly `lambda:InvokeFunction` on the function's ARN.
 *
 * One call, made with the Config client's credentials, hash and HTTP handler, signed for `lambda`:
 * the Lambda runtime ships @aws-sdk/client-lambda, but the project does not depend on it for one call.
 */

/** Attempts of the Invoke call: throttling and server errors are tried again after a back-off. */
const ATTEMPTS = 4;
const BACKOFF_MS = 500;

/** Invokes `functionName` asynchronously with `event`, through the endpoint of Lambda in the client's Region. */
export function lambdaSelfInvoker(config: ConfigServiceClient, functionName: string): (event: ConfigRuleInvocation) => Promise<void> {
  return async (event) => {
    const region = await config.config.region();
    const endpoint = new URL(lambdaEndpoint(region));
    const body = JSON.stringify(event);
    const signer = new SignatureV4({ credentials: config.config.credentials, region, service: 'lambda', sha256: config.config.sha256 });
    for (let attempt = 1; ; attempt++) {
      const request = await signer.sign({
        method: 'POST',
        protocol: endpoint.protocol,
        hostname: endpoint.hostname,
        port: endpoint.port ? Number(endpoint.port) : undefined,
        path: `${endpoint.pathname.replace(/\/$/, '')}/2015-03-31/functions/${encodeURIComponent(functionName)}/invocations`,
        query: {},
        headers: { 'host': endpoint.host, 'content-type': 'application/json', 'x-amz-invocation-type': 'Event' },
        body,
      });
      let status: number;
      let answer = '';
      try {
        const { response } = await config.config.requestHandler.handle(request);
        status = response.statusCode;
        for await (const chunk of response.body as AsyncIterable<Buffer>) answer += chunk.toString();
      } catch (error) {
        if (attempt >= ATTEMPTS) throw error;
        status = 0;
      }
      // 202: Lambda queued the event.
      if (status === 202) return;
      if (status !== 0 && status !== 429 && status < 500) {
        throw new Error(`lambda:InvokeFunction of ${functionName} failed (HTTP ${status}: ${answer.slice(0, 300)})`);
      }
      if (attempt >= ATTEMPTS) throw new Error(`lambda:InvokeFunction of ${functionName} failed after ${ATTEMPTS} attempts (HTTP ${status}: ${answer.slice(0, 300)})`);
      await new Promise((resolve) => setTimeout(resolve, Math.random() * BACKOFF_MS * 2 ** attempt));
    }
  };
}

/** Lambda's endpoint: AWS_ENDPOINT_URL_LAMBDA or AWS_ENDPOINT_URL when set (as the SDK reads them), else the Region's. */
function lambdaEndpoint(region: string): string {
  const configured = process.env.AWS_ENDPOINT_URL_LAMBDA ?? process.env.AWS_ENDPOINT_URL;
  if (configured) return configured;
  const suffix = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  return `https://lambda.${region}.${suffix}`;
}
