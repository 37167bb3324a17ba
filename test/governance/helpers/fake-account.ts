import { FakeAnswer, ReceivedRequest } from './fake-endpoint';

/*
 * An AWS account as the guardrail audit and the Config rule read it, answered over HTTP by
 * `FakeAwsEndpoint` (`respondWith(account.respond)`): Bedrock's guardrails and versions, KMS keys and
 * the tagging API, each Region apart (by the Region a request is signed for), every list paginated.
 */

/** A guardrail: its versions (`DRAFT` and numbers), each with the key GetGuardrail names (none: an AWS owned key). */
export interface FakeGuardrail {
  readonly id: string;
  readonly name: string;
  readonly versions: Record<string, string | undefined>;
}

/** A key of the Region, by id. */
export interface FakeKey {
  readonly manager?: 'CUSTOMER' | 'AWS';
  readonly state?: string;
  readonly rotation?: boolean;
  readonly rotationPeriodDays?: number;
  /** The `BedrockGuardrail` tag, as the library's keys carry it. */
  readonly guardrailTag?: string;
  /** The policy's statements besides administration; default: one role that decrypts through Bedrock. */
  readonly statements?: object[];
}

export interface FakeRegion {
  readonly guardrails?: readonly FakeGuardrail[];
  readonly keys?: Record<string, FakeKey>;
  /** How ListGuardrails answers in a Region without Bedrock, or one the account has not enabled. */
  readonly refuse?: FakeAnswer;
}

export class FakeAccount {
  constructor(
    public readonly account: string,
    private readonly regions: Record<string, FakeRegion>,
    /** Items per page of every list. */
    private readonly pageSize = 2,
  ) {}

  public guardrailArn(region: string, id: string): string {
    return `arn:aws:bedrock:${region}:${this.account}:guardrail/${id}`;
  }

  public keyArn(region: string, id: string): string {
    return `arn:aws:kms:${region}:${this.account}:key/${id}`;
  }

  /** The answer to a request, or `undefined` for the endpoint's default (200, `{}`). */
  public readonly respond = (request: ReceivedRequest): FakeAnswer | undefined => {
    const region = this.regions[request.region] ?? {};
    if (request.operation === 'GET /guardrails') return region.refuse ?? this.listGuardrails(request, region);
    if (request.operation.startsWith('GET /guardrails/')) return this.getGuardrail(request, region);
    switch (request.operation) {
      case 'DescribeKey': return this.withKey(request, region, (id, key) => ({
        KeyMetadata: {
          KeyId: id,
          Arn: this.keyArn(request.region, id),
          KeyManager: key.manager ?? 'CUSTOMER',
          KeyState: key.state ?? 'Enabled',
          KeySpec: 'SYMMETRIC_DEFAULT',
          KeyUsage: 'ENCRYPT_DECRYPT',
          Origin: 'AWS_KMS',
        },
      }));
      case 'GetKeyRotationStatus': return this.withKey(request, region, (_, key) => ({
        KeyRotationEnabled: key.rotation ?? true, RotationPeriodInDays: key.rotation === false ? undefined : key.rotationPeriodDays ?? 365,
      }));
      case 'GetKeyPolicy': return this.withKey(request, region, (_, key) => ({ Policy: this.keyPolicy(request.region, key.statements), PolicyName: 'default' }));
      case 'GetResources': {
        const tagged = Object.entries(region.keys ?? {}).filter(([, key]) => key.guardrailTag !== undefined)
          .map(([id, key]) => ({ ResourceARN: this.keyArn(request.region, id), Tags: [{ Key: 'BedrockGuardrail', Value: key.guardrailTag }] }));
        const { items, next } = this.page(tagged, request.body.PaginationToken);
        // The tagging API ends its pages with an empty token.
        return { status: 200, body: { ResourceTagMappingList: items, PaginationToken: next ?? '' } };
      }
      default: return undefined;
    }
  };

  private listGuardrails(request: ReceivedRequest, region: FakeRegion): FakeAnswer {
    const identifier = request.query.get('guardrailIdentifier');
    const summary = (g: FakeGuardrail, version: string) => ({
      id: g.id,
      arn: this.guardrailArn(request.region, g.id),
      name: g.name,
      status: 'READY',
      version,
      createdAt: '2026-01-01T00:00:00Z',
      updatedAt: '2026-01-01T00:00:00Z',
    });
    let all: object[];
    if (identifier) {
      const guardrail = (region.guardrails ?? []).find((g) => identifier === g.id || identifier === this.guardrailArn(request.region, g.id));
      if (!guardrail) return { status: 404, error: 'ResourceNotFoundException' };
      all = Object.keys(guardrail.versions).map((version) => summary(guardrail, version));
    } else {
      all = (region.guardrails ?? []).map((g) => summary(g, 'DRAFT'));
    }
    const { items, next } = this.page(all, request.query.get('nextToken') ?? undefined);
    return { status: 200, body: { guardrails: items, ...(next ? { nextToken: next } : {}) } };
  }

  private getGuardrail(request: ReceivedRequest, region: FakeRegion): FakeAnswer {
    const id = request.path.split('/').pop();
    const guardrail = (region.guardrails ?? []).find((g) => g.id === id || this.guardrailArn(request.region, g.id) === id);
    const version = request.query.get('guardrailVersion') ?? 'DRAFT';
    if (!guardrail || !(version in guardrail.versions)) return { status: 404, error: 'ResourceNotFoundException' };
    const kmsKeyArn = guardrail.versions[version];
    return {
      status: 200,
      body: {
        name: guardrail.name,
        guardrailId: guardrail.id,
        guardrailArn: this.guardrailArn(request.region, guardrail.id),
        version,
        status: 'READY',
        ...(kmsKeyArn ? { kmsKeyArn } : {}),
        createdAt: '2026-01-01T00:00:00Z',
        updatedAt: '2026-01-01T00:00:00Z',
        blockedInputMessaging: 'Sorry.',
        blockedOutputsMessaging: 'Sorry.',
      },
    };
  }

  private withKey(request: ReceivedRequest, region: FakeRegion, answer: (id: string, key: FakeKey) => object): FakeAnswer {
    const id = String(request.body.KeyId).split('/').pop()!;
    const key = region.keys?.[id];
    return key ? { status: 200, body: answer(id, key) } : { status: 400, error: 'NotFoundException' };
  }

  /** A key policy as GuardrailKeyPolicy writes it, with `statements` for its use. */
  private keyPolicy(region: string, statements: object[] = [{
    Sid: 'GuardrailUseThroughBedrock',
    Effect: 'Allow',
    Principal: { AWS: `arn:aws:iam::${this.account}:root` },
    Action: 'kms:Decrypt',
    Resource: '*',
    Condition: { StringEquals: { 'kms:ViaService': `bedrock.${region}.amazonaws.com` }, ArnLike: { 'aws:PrincipalArn': [`arn:aws:iam::${this.account}:role/App`] } },
  }]): string {
    const administration = {
      Sid: 'KeyAdministration', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${this.account}:root` }, Action: ['kms:DescribeKey', 'kms:PutKeyPolicy'], Resource: '*',
    };
    return JSON.stringify({ Version: '2012-10-17', Statement: [administration, ...statements] });
  }

  private page<T>(all: readonly T[], token: string | undefined): { items: T[]; next?: string } {
    const start = token ? Number(token) : 0;
    const end = start + this.pageSize;
    return { items: all.slice(start, end), next: end < all.length ? String(end) : undefined };
  }
}
