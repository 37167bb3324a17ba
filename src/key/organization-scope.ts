import { fail, Origin, refuse } from '../core/errors';
import { checkString, unresolved } from '../core/validation';

/**
 * The organization, or the organizational units, whose callers may use a shared guardrail.
 * Exactly one of the two.
 */
export interface GuardrailOrganizationScope {
  /**
   * The organization's id, `o-` followed by 10-32 lowercase letters or digits
   * (`aws:PrincipalOrgID`).
   *
   * @default - none; then `organizationalUnitPaths` is required
   */
  readonly organizationId?: string;

  /**
   * Paths of organizational units (`aws:PrincipalOrgPaths`, matched with `ForAnyValue:StringLike`):
   * `o-<id>/r-<root>/ou-<id>/.../` followed by `*` to include the units below.
   *
   * @default - none; then `organizationId` is required
   */
  readonly organizationalUnitPaths?: string[];
}

const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;
/** An organization path down to a root or unit, ending with `/` and optionally `*` (IAM user guide, aws:PrincipalOrgPaths). */
const ORGANIZATION_PATH = /^o-[a-z0-9]{10,32}\/r-[0-9a-z]{4,32}\/(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}\/)*\*?$/;

/**
 * The membership condition of an organization scope, refused unless exactly one of its properties is
 * set and has the shape AWS Organizations gives ids and paths (tokens pass).
 */
export function organizationCondition(origin: Origin, organization: GuardrailOrganizationScope): {
  'StringEquals'?: { [key: string]: string };
  'ForAnyValue:StringLike'?: { [key: string]: string[] };
} {
  const { organizationId: id, organizationalUnitPaths: paths } = organization;
  if ((id === undefined) === (paths === undefined)) {
    refuse(origin, `exactly one of organizationId and organizationalUnitPaths is required; received ${id === undefined ? 'neither' : 'both'}; ` +
      'allowed: organizationId (o-<10-32 lowercase letters or digits>) or organizationalUnitPaths (o-<id>/r-<root>/ou-<unit>/.../ or ending with /*).');
  }
  if (id !== undefined) {
    checkString(origin, 'organizationId', id, { min: 12, max: 34, pattern: ORGANIZATION_ID, allowed: "an organization id, 'o-' followed by 10-32 lowercase letters or digits" });
    return { StringEquals: { 'aws:PrincipalOrgID': id } };
  }
  if (!unresolved(paths) && paths!.length === 0) fail(origin, 'organizationalUnitPaths', paths, 'at least one path');
  for (const path of unresolved(paths) ? [] : paths!) {
    checkString(origin, 'organizationalUnitPaths', path, {
      min: 1,
      max: 4096,
      pattern: ORGANIZATION_PATH,
      allowed: "an organization path, 'o-<id>/r-<root>/' then 'ou-<root part>-<unit id>/' per unit, optionally ending with '*' (for example o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*)",
    });
  }
  return { 'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': paths! } };
}

