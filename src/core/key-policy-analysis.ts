import { accountRootOf, isTemplateAccount, parseTemplateArn, principalAccountOf } from './arns';
import { CRYPTOGRAPHIC_ACTIONS, KEY_POLICY_ACTIONS } from './kms-actions';
import { Caller, KeyPolicyEvaluator, PolicyDocumentJson, PolicyStatementJson, RequestContext, UndecidablePolicy } from './policy-evaluator';

/**
 * Who may use a guardrail key, decided by evaluating its policy, not by the shape of its statements.
 *
 * The policy is asked about representative requests: from each principal it names (by `Principal` or
 * by an `aws:PrincipalArn` condition), from a principal of the key's account it does not name, from a
 * principal of another account, from each service it names and from another service; directly,
 * through Bedrock in the key's Region, through Bedrock elsewhere and through another service; with
 * the account and organization keys of each requester filled in, and keys the requester controls
 * (encryption context, grant flags…) set as badly as possible. A key is least-privilege when every
 * cryptographic action is open only to its named principals of its own account, only through
 * Bedrock in its Region, and to services only for its own account's resources.
 *
 * Values are text: literals, or placeholders as `flattenIntrinsic` writes them (`${AWS::Region}`).
 * References to roles and users of the key's account must already be written as their ARN; any
 * other placeholder where a principal is expected makes the policy undecidable, never compliant.
 * It imports nothing but the evaluator, so that the Config rule's bundled handler can use it.
 */

export interface KeyPolicyAnalysisOptions {
  /** The key's account: a 12-digit id, or `${AWS::AccountId}` for an environment-agnostic stack. */
  readonly account: string;
  /** The key's Region, literal or `${AWS::Region}`. */
  readonly region: string;
  /**
   * Whose decrypts through Bedrock in the key's Region the standard accepts beyond the named
   * principals: every caller of the key's `account`, for the key of a guardrail enforced in the
   * account (`AWS::Bedrock::EnforcedGuardrailConfiguration`); every caller of the `organization` the
   * key policy names, for the key of a guardrail shared by a resource policy. Enforcement makes every
   * Bedrock caller need the key, so a key only named roles could decrypt would fail every other call.
   * Only `kms:Decrypt`, only through Bedrock in the key's Region, never to a principal outside the
   * organization, and nothing for any other key.
   *
   * @default - none: only named principals of the key's account
   */
  readonly wideUse?: WideUse;
}

/** Who may decrypt a guardrail key through Bedrock because the guardrail is enforced or shared. */
export type WideUse = 'account' | 'organization';

/** The one use enforcement or sharing widens: decrypting the guardrail, as Bedrock does for each caller. */
const WIDE_USE_ACTION = 'kms:Decrypt';

/** How a request reaches the key. */
export type Route = 'directly' | 'through another service' | 'through Bedrock in another Region' | "through Bedrock in the key's Region";

/** An action open to more than the standard allows: a cryptographic one, or any one to other accounts. */
export interface Exposure {
  /** Who may call it, in words: an ARN, the principals of an account, a service. */
  readonly principal: string;
  readonly action: string;
  readonly route: Route;
  /** The statement that allows it: its `Sid`, or `#<index>`. */
  readonly statement: string;
}

export interface KeyPolicyAnalysis {
  /**
   * Cryptographic actions open beyond the named principals of the key's account through Bedrock in
   * its Region, and any action open to principals of other accounts.
   */
  readonly exposures: readonly Exposure[];
  /** Whether a principal of the key's account may call `kms:PutKeyPolicy` (KMS refuses a policy that locks everybody out). */
  readonly manageable: boolean;
  /** Why the policy cannot be decided, when it cannot; the other answers are then meaningless. */
  readonly undecidable?: string;
}

/** Keys that say who asks, for whom, and through what: the requester cannot choose them. */
const REQUEST_FACTS = /^(kms:ViaService|kms:CallerAccount|aws:Principal.*|aws:Source.*|aws:userid|aws:username|aws:CalledVia.*|aws:ResourceAccount|aws:ResourceOrg.*)$/i;
const ORGANIZATION_KEYS = /^aws:(PrincipalOrgID|PrincipalOrgPaths)$/i;
const ACCOUNT_KEYS = /^(aws:PrincipalAccount|kms:CallerAccount)$/i;
const UNNAMED_ROLE = 'role/an-unnamed-principal';
const UNNAMED_SERVICE = 'an-unnamed-service.amazonaws.com';

interface Probe {
  readonly caller: Caller;
  /** How a finding names it. */
  readonly description: string;
  readonly kind: 'named' | 'unnamed-own' | 'foreign' | 'service';
  /** A principal the key policy does not name: any of the account, or of another account. */
  readonly unnamed?: boolean;
  /** Asked without the organization keys the policy names: a principal outside the organization. */
  readonly outsider?: boolean;
}

const analyses = new Map<string, KeyPolicyAnalysis>();

/**
 * Analyzes a key policy (its JSON document). Identical policies of keys in the same account and
 * Region are analyzed once per process: most stacks of an app repeat the same policy.
 */
export function analyzeKeyPolicy(policy: unknown, options: KeyPolicyAnalysisOptions): KeyPolicyAnalysis {
  // Partitions and URL suffixes are the same for every request to one key: compare without them.
  const text = JSON.stringify(policy)?.replace(/\$\{AWS::Partition\}/g, 'aws').replace(/\$\{AWS::URLSuffix\}/g, 'amazonaws.com');
  const cacheKey = `${options.account}\u0000${options.region}\u0000${options.wideUse ?? ''}\u0000${text}`;
  let analysis = analyses.get(cacheKey);
  if (!analysis) {
    analysis = analyze(text === undefined ? undefined : JSON.parse(text), options);
    analyses.set(cacheKey, analysis);
  }
  return analysis;
}

function analyze(policy: unknown, options: KeyPolicyAnalysisOptions): KeyPolicyAnalysis {
  try {
    if (!isDocument(policy)) throw new UndecidablePolicy('the key policy is not a policy document with statements');
    const statements = ([] as PolicyStatementJson[]).concat(policy.Statement as PolicyStatementJson);
    const evaluator = new KeyPolicyEvaluator(policy, { requesterControls: (key) => !REQUEST_FACTS.test(key) });
    const probes = probesOf(statements, options);
    const routes = routesOf(statements, options);
    const organizations = organizationContext(statements);
    const exposures: Exposure[] = [];
    for (const probe of probes) {
      // The key is used and managed from its own account only: other accounts may do nothing with it.
      for (const action of probe.kind === 'foreign' ? KEY_POLICY_ACTIONS : CRYPTOGRAPHIC_ACTIONS) {
        for (const [route, context] of probe.kind === 'service' ? serviceContexts(options) : routes) {
          const decision = evaluator.decide(probe.caller, action, { ...(probe.outsider ? {} : organizations), ...context });
          if (decision.allowed && exposed(probe, action, route, context, options)) {
            exposures.push({ principal: probe.description, action, route, statement: decision.statement! });
          }
        }
      }
    }
    const manageable = probes.some((probe) => (probe.kind === 'named' || probe.kind === 'unnamed-own')
      && evaluator.isAllowed(probe.caller, 'kms:PutKeyPolicy', organizations));
    return { exposures: dedupe(exposures), manageable };
  } catch (error) {
    if (error instanceof UndecidablePolicy) return { exposures: [], manageable: false, undecidable: error.message };
    throw error;
  }
}

/** Whether an allowed request goes beyond the standard. */
function exposed(probe: Probe, action: string, route: Route, context: RequestContext, options: KeyPolicyAnalysisOptions): boolean {
  if (probe.kind === 'service') {
    // Bedrock using the key for this account's guardrails is what the key is for.
    return probe.caller.service !== 'bedrock.amazonaws.com' || context['aws:SourceAccount'] !== options.account;
  }
  if (route !== "through Bedrock in the key's Region") return true;
  return probe.kind !== 'named' && !widelyAccepted(probe, action, options.wideUse);
}

/**
 * A decrypt through Bedrock in the key's Region by a principal the policy does not name, accepted
 * for the key of an enforced (the account's principals) or shared (the organization's) guardrail.
 * Principals outside the organization, and other accounts the policy names one by one, never are.
 */
function widelyAccepted(probe: Probe, action: string, wideUse: WideUse | undefined): boolean {
  if (wideUse === undefined || action !== WIDE_USE_ACTION || !probe.unnamed || probe.outsider) return false;
  return probe.kind === 'unnamed-own' || (probe.kind === 'foreign' && wideUse === 'organization');
}

/** The requesters to ask about: those the policy names, and those it should keep out. */
function probesOf(statements: readonly PolicyStatementJson[], options: KeyPolicyAnalysisOptions): Probe[] {
  const foreignAccount = options.account === '000000000000' ? '000000000001' : '000000000000';
  const probes: Probe[] = [];
  const seen = new Set<string>();
  for (const arn of namedArns(statements)) {
    const instance = arn.replace(/[*?]/g, 'x');
    if (seen.has(instance)) continue;
    seen.add(instance);
    const account = accountOf(arn);
    probes.push({
      caller: { arn: instance, account, identityAllows: ['*'] },
      description: account === options.account ? arn : `${arn} of another account`,
      kind: account === options.account ? 'named' : 'foreign',
    });
  }
  // Another account the policy names as a whole (its root, its id, its principals by condition) is
  // asked about by its own id: the made-up other account below would match none of these.
  for (const account of namedAccounts(statements)) {
    if (account === options.account || seen.has(account)) continue;
    seen.add(account);
    probes.push({
      caller: { arn: `arn:aws:iam::${account}:${UNNAMED_ROLE}`, account, identityAllows: ['*'] },
      description: `principals of account ${account}`,
      kind: 'foreign',
    });
  }
  probes.push(
    {
      caller: { arn: `arn:aws:iam::${options.account}:${UNNAMED_ROLE}`, account: options.account, identityAllows: ['*'] },
      description: `any principal of account ${options.account} whose IAM policies allow it`,
      kind: 'unnamed-own',
      unnamed: true,
    },
    {
      caller: { arn: `arn:aws:iam::${foreignAccount}:${UNNAMED_ROLE}`, account: foreignAccount, identityAllows: ['*'] },
      description: 'principals of other accounts',
      kind: 'foreign',
      unnamed: true,
    },
  );
  // Organization-wide use is accepted only inside the organization: ask about a principal outside it too.
  if (options.wideUse === 'organization') {
    probes.push({
      caller: { arn: `arn:aws:iam::${foreignAccount}:${UNNAMED_ROLE}`, account: foreignAccount, identityAllows: ['*'] },
      description: 'principals outside the organization',
      kind: 'foreign',
      unnamed: true,
      outsider: true,
    });
  }
  for (const service of [...new Set([...servicesOf(statements), UNNAMED_SERVICE])]) {
    probes.push({
      caller: { arn: service, account: options.account, identityAllows: [], service },
      description: service === UNNAMED_SERVICE ? 'any AWS service' : `the service ${service}`,
      kind: 'service',
    });
  }
  return probes;
}

/**
 * How principals' requests may reach KMS: directly, through Bedrock in the key's Region, through
 * Bedrock elsewhere, through another service, and through each service the policy itself names in a
 * `kms:ViaService` condition (a literal Region in an environment-agnostic stack may or may not be
 * the key's: it counts as another).
 */
function routesOf(statements: readonly PolicyStatementJson[], options: KeyPolicyAnalysisOptions): Array<[Route, RequestContext]> {
  const here = `bedrock.${options.region}.amazonaws.com`;
  const services = [here, 'bedrock.an-unnamed-region-1.amazonaws.com', `an-unnamed-service.${options.region}.amazonaws.com`];
  for (const [key, values] of conditionValues(statements)) {
    if (key.toLowerCase() === 'kms:viaservice') services.push(...values.map((value) => value.replace(/[*?]/g, 'x')));
  }
  const routes: Array<[Route, RequestContext]> = [['directly', {}]];
  for (const service of new Set(services)) {
    const route: Route = service === here ? "through Bedrock in the key's Region"
      : service.startsWith('bedrock.') ? 'through Bedrock in another Region' : 'through another service';
    routes.push([route, { 'kms:ViaService': service }]);
  }
  return routes;
}

/** Whose resources a service may act for: nobody's in particular, another account's, the key's account's. */
function serviceContexts(options: KeyPolicyAnalysisOptions): Array<[Route, RequestContext]> {
  const guardrail = (account: string) => `arn:aws:bedrock:${options.region}:${account}:guardrail/an-unnamed-guardrail`;
  return [
    ['directly', {}],
    ['directly', { 'aws:SourceAccount': '000000000000', 'aws:SourceArn': guardrail('000000000000') }],
    ['directly', { 'aws:SourceAccount': options.account, 'aws:SourceArn': guardrail(options.account) }],
  ];
}

/**
 * Organization keys narrow only to an organization, never to a principal: every requester is taken
 * to be in the organizations the policy names.
 */
function organizationContext(statements: readonly PolicyStatementJson[]): RequestContext {
  const context: Record<string, string[]> = {};
  for (const [key, values] of conditionValues(statements)) {
    if (ORGANIZATION_KEYS.test(key)) context[key] = [...(context[key] ?? []), ...values.map((value) => value.replace(/[*?]/g, 'x'))];
  }
  return context;
}

/** The roles, users and accounts a policy names, by `Principal` or by an `aws:PrincipalArn` condition. */
function namedArns(statements: readonly PolicyStatementJson[]): string[] {
  const arns: string[] = [];
  for (const statement of statements) {
    for (const principal of [statement.Principal, statement.NotPrincipal]) {
      if (principal && typeof principal === 'object') arns.push(...texts((principal as { AWS?: unknown }).AWS));
    }
  }
  for (const [key, values] of conditionValues(statements)) {
    if (key.toLowerCase() === 'aws:principalarn') arns.push(...values);
  }
  return arns.filter((arn) => arn !== '*' && !isAccount(arn));
}

/** The accounts a policy names as a whole: by root ARN or id as principal, or by an account condition. */
function namedAccounts(statements: readonly PolicyStatementJson[]): string[] {
  const accounts: string[] = [];
  for (const statement of statements) {
    for (const principal of [statement.Principal, statement.NotPrincipal]) {
      if (principal && typeof principal === 'object') accounts.push(...texts((principal as { AWS?: unknown }).AWS).filter(isAccount));
    }
  }
  for (const [key, values] of conditionValues(statements)) {
    if (ACCOUNT_KEYS.test(key)) accounts.push(...values);
  }
  return accounts.map(wholeAccountOf).filter((account): account is string => account !== undefined);
}

function servicesOf(statements: readonly PolicyStatementJson[]): string[] {
  return statements.flatMap((statement) => {
    const principal = statement.Principal;
    return principal && typeof principal === 'object' ? texts((principal as { Service?: unknown }).Service) : [];
  });
}

function conditionValues(statements: readonly PolicyStatementJson[]): Array<[string, string[]]> {
  return statements.flatMap((statement) => Object.values(statement.Condition ?? {})
    .flatMap((entries) => Object.entries(entries ?? {}).map(([key, value]) => [key, texts(value)] as [string, string[]])));
}

function texts(value: unknown): string[] {
  return ([] as unknown[]).concat(value ?? []).map((item) => {
    if (typeof item !== 'string') throw new UndecidablePolicy(`unresolved value ${JSON.stringify(item)}`);
    return item;
  });
}

/**
 * The account of a role or user ARN. A principal whose account is not known at synth (a reference
 * that is not to a role or user of the key's account, a parameter…) cannot be placed.
 */
function accountOf(arn: string): string {
  const account = principalAccountOf(parseTemplateArn(arn));
  if (account === undefined || !isTemplateAccount(account)) throw new UndecidablePolicy(`the principal ${arn} cannot be placed in an account at synth`);
  return account;
}

/** The account a principal (or an account condition's value) names as a whole, when it is one the analysis can place. */
function wholeAccountOf(principal: string): string | undefined {
  const account = accountRootOf(principal);
  return account !== undefined && isTemplateAccount(account) ? account : undefined;
}

function isAccount(principal: string): boolean {
  return wholeAccountOf(principal) !== undefined;
}

function isDocument(policy: unknown): policy is PolicyDocumentJson {
  return typeof policy === 'object' && policy !== null && 'Statement' in policy;
}

function dedupe(exposures: Exposure[]): Exposure[] {
  const seen = new Set<string>();
  return exposures.filter((e) => {
    const key = `${e.principal}|${e.action}|${e.route}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Exposures in words, by the statement that allows them and by who:
 * `statement <sid> lets <principal> call <actions> <routes>; <actions> <routes>`.
 *
 * @param limit how many of these to give; the rest are counted
 */
export function describeExposures(exposures: readonly Exposure[], limit = Infinity): string[] {
  // Who (and by which statement) -> action -> routes.
  const byWho = new Map<string, Map<string, Route[]>>();
  for (const e of exposures) {
    const who = `statement ${e.statement} lets ${e.principal} call \u0000`;
    const actions = byWho.get(who) ?? new Map<string, Route[]>();
    actions.set(e.action, [...(actions.get(e.action) ?? []), e.route]);
    byWho.set(who, actions);
  }
  const lines = [...byWho].map(([who, actions]) => {
    // Actions open by the same routes read as one list.
    const byRoutes = new Map<string, string[]>();
    for (const [action, routes] of actions) byRoutes.set(routes.join(', '), [...(byRoutes.get(routes.join(', ')) ?? []), action]);
    return who.replace('\u0000', [...byRoutes].map(([routes, names]) => `${names.join(', ')} ${routes}`).join('; '));
  });
  return lines.length > limit ? [...lines.slice(0, limit), `${lines.length - limit} more`] : lines;
}
