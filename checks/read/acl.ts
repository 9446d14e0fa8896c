// Access control lists as the checks compare them: the effective ACL (NULL means the built-in default, expanded
// with acldefault so that "never granted" and "granted back after a revoke" compare equal), exploded into one item
// per grantee and privilege, the owner's own items written as "owner" (ownership is compared on its own, so a new
// owner is one difference, not one per privilege), PUBLIC as PUBLIC, other grantees by role name. The grantor is
// left out: it records who ran the GRANT (a restore runs them as another role), not who may do what.
import { identSql } from './names';

/**
 * SQL for one object's privileges as sorted text, e.g. "PUBLIC:USAGE, owner:CREATE, owner:USAGE, app:SELECT WITH
 * GRANT OPTION"; "none" when nothing is granted to anybody. `acl` is an aclitem[] expression (already coalesced with
 * acldefault where NULL means the default), `owner` the owner's oid.
 */
export function aclTextSql(acl: string, owner: string): string {
  return `coalesce((SELECT string_agg(g, ', ' ORDER BY g COLLATE "C") FROM (
    SELECT CASE WHEN a.grantee = ${owner} THEN 'owner' WHEN a.grantee = 0 THEN 'PUBLIC'
                ELSE ${identSql('pg_catalog.pg_get_userbyid(a.grantee)')} END
           || ':' || a.privilege_type || CASE WHEN a.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END AS g
    FROM pg_catalog.aclexplode(${acl}) a) items), 'none')`;
}
