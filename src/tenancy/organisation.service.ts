import type { Db } from '../db/pool.js';
import { withTransaction } from '../db/pool.js';
import type { Clock } from '../shared/clock.js';
import { AppError, notFound } from '../shared/errors.js';
import { isId, newId } from '../shared/ids.js';
import { generatePassword, hashPassword, verifyPassword } from '../shared/password.js';
import { issueToken, parseToken, tokenMatches } from '../shared/tokens.js';
import { validate } from '../shared/validate.js';
import { OrganisationRepository, type ApiKeyListing, type Organisation } from './organisation.repository.js';
import { StaffUserRepository, type StaffUser, type StaffUserListing } from './staff-user.repository.js';
import { nameSchema, staffRoleInputSchema, staffUserInputSchema } from './tenancy.schemas.js';

export interface ApiPrincipal {
  orgId: string;
  apiKeyId: string;
}

export interface CreatedUser {
  user: StaffUser;
  /** Set only when the password was generated: show it once. */
  generatedPassword: string | undefined;
}

export class OrganisationService {
  constructor(private readonly deps: { db: Db; clock: Clock }) {}

  /** Creates an organisation with its first API key; the key is returned once and only its hash kept. */
  async createOrganisation(name: string): Promise<{ organisation: Organisation; apiKey: string }> {
    const orgName = validate(nameSchema, name, 'name');
    return withTransaction(this.deps.db, async (client) => {
      const repo = new OrganisationRepository(client);
      const organisation = await repo.insert({ id: newId(), name: orgName });
      const apiKey = await this.insertApiKey(repo, organisation.id, 'default');
      return { organisation, apiKey };
    });
  }

  async getOrganisation(orgId: string): Promise<Organisation> {
    const org = await new OrganisationRepository(this.deps.db).get(orgId);
    if (!org) throw new AppError('NOT_FOUND', 'Organisation not found');
    return org;
  }

  countOrganisations(): Promise<number> {
    return new OrganisationRepository(this.deps.db).count();
  }

  async createApiKey(orgId: string, name: string): Promise<string> {
    const repo = new OrganisationRepository(this.deps.db);
    await this.getOrganisation(orgId);
    return this.insertApiKey(repo, orgId, validate(nameSchema, name, 'name'));
  }

  private async insertApiKey(repo: OrganisationRepository, orgId: string, name: string): Promise<string> {
    const issued = issueToken('pbk');
    await repo.insertApiKey({ id: newId(), orgId, name, lookup: issued.lookup, tokenHash: issued.hash });
    return issued.token;
  }

  listApiKeys(orgId: string): Promise<ApiKeyListing[]> {
    return new OrganisationRepository(this.deps.db).listApiKeys(orgId);
  }

  async getApiKey(orgId: string, keyId: string): Promise<ApiKeyListing> {
    const key = isId(keyId) ? await new OrganisationRepository(this.deps.db).getApiKey(orgId, keyId) : undefined;
    if (!key) throw notFound('API key');
    return key;
  }

  /** Takes effect on the next request: authenticateApiKey refuses revoked keys. Revoking twice is harmless. */
  async revokeApiKey(orgId: string, keyId: string): Promise<void> {
    const repo = new OrganisationRepository(this.deps.db);
    if (!isId(keyId) || !(await repo.revokeApiKey(orgId, keyId, this.deps.clock.now()))) throw notFound('API key');
  }

  async authenticateApiKey(token: string): Promise<ApiPrincipal | undefined> {
    const parsed = parseToken('pbk', token);
    if (!parsed) return undefined;
    const repo = new OrganisationRepository(this.deps.db);
    const key = await repo.findApiKey(parsed.lookup);
    if (!key || key.revokedAt !== null || !tokenMatches(token, key.tokenHash)) return undefined;
    await repo.touchApiKey(key.id, this.deps.clock.now());
    return { orgId: key.orgId, apiKeyId: key.id };
  }

  async createUser(orgId: string, input: unknown): Promise<CreatedUser> {
    const data = validate(staffUserInputSchema, input);
    await this.getOrganisation(orgId);
    const repo = new StaffUserRepository(this.deps.db);
    // Emails sign in across organisations, so they are unique everywhere; say so against the field (the unique index still guards races).
    if (await repo.findByEmail(data.email)) {
      throw new AppError('CONFLICT', 'Already exists: a staff user with this email', {
        fields: [{ path: 'email', message: 'a staff user with this email already exists' }],
      });
    }
    const password = data.password ?? generatePassword();
    const user = await repo.insert({
      id: newId(),
      orgId,
      email: data.email,
      name: data.name,
      role: data.role,
      passwordHash: await hashPassword(password),
    });
    return { user, generatedPassword: data.password === undefined ? password : undefined };
  }

  /** Returns the user for a correct email and password; the same answer for unknown email and wrong password. */
  async authenticateStaff(email: string, password: string): Promise<StaffUser | undefined> {
    const repo = new StaffUserRepository(this.deps.db);
    const found = await repo.findByEmail(email.trim().toLowerCase());
    if (!found || found.disabledAt !== null) {
      // Spend the same time as a real check so response time does not reveal which emails exist.
      await hashPassword(password);
      return undefined;
    }
    if (!(await verifyPassword(password, found.passwordHash))) return undefined;
    await repo.recordLogin(found.id, this.deps.clock.now());
    const { id, orgId, name, role } = found;
    return { id, orgId, email: found.email, name, role };
  }

  async getActiveUser(id: string): Promise<StaffUser | undefined> {
    return new StaffUserRepository(this.deps.db).getActive(id);
  }

  listUsers(orgId: string): Promise<StaffUserListing[]> {
    return new StaffUserRepository(this.deps.db).listDetailedByOrg(orgId);
  }

  /**
   * Takes effect on the user's next request: sessions load the user afresh.
   * Nobody changes their own role, so an organisation always keeps the owner acting.
   */
  async changeRole(orgId: string, actorId: string, userId: string, input: unknown): Promise<void> {
    const { role } = validate(staffRoleInputSchema, input);
    if (userId === actorId) throw new AppError('FORBIDDEN', 'You cannot change your own role: another owner must do it.', { reason: 'self' });
    if (!isId(userId) || !(await new StaffUserRepository(this.deps.db).setRole(orgId, userId, role))) throw notFound('Staff user');
  }

  /** A disabled user cannot sign in, and their open sessions stop at once (getActiveUser skips them). */
  async setUserDisabled(orgId: string, actorId: string, userId: string, disabled: boolean): Promise<void> {
    if (userId === actorId) throw new AppError('FORBIDDEN', 'You cannot disable your own account: another owner must do it.', { reason: 'self' });
    const at = disabled ? this.deps.clock.now() : null;
    if (!isId(userId) || !(await new StaffUserRepository(this.deps.db).setDisabled(orgId, userId, at))) throw notFound('Staff user');
  }
}
