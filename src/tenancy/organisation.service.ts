import type { Db } from '../db/pool.js';
import { withTransaction } from '../db/pool.js';
import type { Clock } from '../shared/clock.js';
import { AppError } from '../shared/errors.js';
import { newId } from '../shared/ids.js';
import { generatePassword, hashPassword, verifyPassword } from '../shared/password.js';
import { issueToken, parseToken, tokenMatches } from '../shared/tokens.js';
import { validate } from '../shared/validate.js';
import { OrganisationRepository, type Organisation } from './organisation.repository.js';
import { StaffUserRepository, type StaffUser } from './staff-user.repository.js';
import { nameSchema, staffUserInputSchema } from './tenancy.schemas.js';

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
    const password = data.password ?? generatePassword();
    const user = await new StaffUserRepository(this.deps.db).insert({
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
}
