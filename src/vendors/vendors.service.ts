import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { creationChanges, diffChanges } from '../audit/changes.js';
import type { Actor } from '../auth/actor.js';
import { assertVersion } from '../common/concurrency.js';
import { isUniqueViolation } from '../common/database-errors.js';
import { type Page, pageByCreation } from '../common/pagination.js';
import { definedFields, escapeLike } from '../common/query-helpers.js';
import { ConflictProblem, NotFoundProblem } from '../common/problem.js';
import { lockForUpdate, updateVersioned } from '../common/versioned-update.js';
import { Engagement } from '../engagements/engagement.entity.js';
import {
  type CreateVendorDto,
  type ListVendorsQuery,
  type UpdateVendorDto,
  VendorResponse,
} from './dto/vendor.dto.js';
import { Vendor } from './vendor.entity.js';

const NAME_INDEX = 'uq_vendors_name_lower';

function nameTaken(name: string): ConflictProblem {
  return new ConflictProblem(`A vendor named "${name}" already exists.`, [
    { code: 'VENDOR_NAME_TAKEN', message: 'Vendor names are unique, ignoring case.' },
  ]);
}

/** Audited fields of a vendor, as the API shows them. */
const snapshot = (vendor: Vendor) => ({
  name: vendor.name,
  contactEmail: vendor.contactEmail,
  website: vendor.website,
  notes: vendor.notes,
});

@Injectable()
export class VendorsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  async create(actor: Actor, input: CreateVendorDto): Promise<VendorResponse> {
    try {
      return await this.dataSource.transaction(async (manager) => {
        const vendor = await manager.save(
          manager.create(Vendor, {
            name: input.name,
            contactEmail: input.contactEmail ?? null,
            website: input.website ?? null,
            notes: input.notes ?? null,
          }),
        );
        await this.audit.record(manager, actor, {
          action: 'vendor.created',
          entityType: 'vendor',
          entityId: vendor.id,
          changes: creationChanges(snapshot(vendor)),
        });
        return VendorResponse.from(vendor);
      });
    } catch (error) {
      if (isUniqueViolation(error, NAME_INDEX)) throw nameTaken(input.name);
      throw error;
    }
  }

  async list(query: ListVendorsQuery): Promise<Page<VendorResponse>> {
    const builder = this.dataSource.getRepository(Vendor).createQueryBuilder('vendor');
    if (query.q) {
      builder.andWhere(`vendor.name ILIKE :pattern ESCAPE '\\'`, {
        pattern: `%${escapeLike(query.q)}%`,
      });
    }
    return pageByCreation(builder, query, VendorResponse.from);
  }

  async get(id: string): Promise<VendorResponse> {
    const vendor = await this.dataSource.getRepository(Vendor).findOneBy({ id });
    if (!vendor) throw new NotFoundProblem('Vendor', id);
    return VendorResponse.from(vendor);
  }

  async update(
    actor: Actor,
    id: string,
    input: UpdateVendorDto,
    ifMatch: number | undefined,
  ): Promise<VendorResponse> {
    try {
      return await this.dataSource.transaction(async (manager) => {
        const current = await lockForUpdate(manager, Vendor, id, 'Vendor');
        const patch = definedFields(input, ['name', 'contactEmail', 'website', 'notes']);
        const updated = await updateVersioned(manager, Vendor, current, ifMatch, patch);
        await this.audit.record(manager, actor, {
          action: 'vendor.updated',
          entityType: 'vendor',
          entityId: id,
          changes: diffChanges(snapshot(current), snapshot(updated)),
        });
        return VendorResponse.from(updated);
      });
    } catch (error) {
      if (isUniqueViolation(error, NAME_INDEX)) throw nameTaken(input.name ?? '');
      throw error;
    }
  }

  /** Deletes a vendor that has no engagements (their history must stay attributable). */
  async remove(actor: Actor, id: string, ifMatch: number | undefined): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const current = await lockForUpdate(manager, Vendor, id, 'Vendor');
      assertVersion(ifMatch, current.version);
      const engagements = await manager.countBy(Engagement, { vendorId: id });
      if (engagements > 0) {
        throw new ConflictProblem(
          `The vendor has ${engagements} engagement(s) and cannot be deleted.`,
          [
            {
              code: 'VENDOR_HAS_ENGAGEMENTS',
              message: 'Only a vendor without engagements can be deleted.',
            },
          ],
        );
      }
      await manager.delete(Vendor, { id });
      await this.audit.record(manager, actor, {
        action: 'vendor.deleted',
        entityType: 'vendor',
        entityId: id,
        changes: diffChanges(snapshot(current), {}),
      });
    });
  }
}
