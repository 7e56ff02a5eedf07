import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { creationChanges, diffChanges } from '../audit/changes.js';
import type { Actor } from '../auth/actor.js';
import { assertVersion } from '../common/concurrency.js';
import { isUniqueViolation } from '../common/database-errors.js';
import { Keyset, type Page, pageByCreation, timeThenId } from '../common/pagination.js';
import { definedFields, escapeLike } from '../common/query-helpers.js';
import { ratio } from '../common/ratio.js';
import { lockForUpdate, updateVersioned } from '../common/versioned-update.js';
import { Engagement } from '../engagements/engagement.entity.js';
import {
  type CreateVendorDto,
  type ListVendorsQuery,
  type UpdateVendorDto,
  VendorResponse,
} from './dto/vendor.dto.js';
import { Vendor } from './vendor.entity.js';
import {
  VendorHasEngagementsError,
  VendorNameTakenError,
  VendorNotFoundError,
} from './vendors.errors.js';

const NAME_INDEX = 'uq_vendors_name_lower';

interface TrackRecordRow {
  id: string;
  name: string;
  contact_email: string | null;
  website: string | null;
  notes: string | null;
  created_at: Date;
  updated_at: Date;
  version: number;
  engagement_count: number;
  slip_days: number;
  handovers_completed: number;
  handovers_on_time: number;
  artifacts_delivered: number;
  artifacts_accepted: number;
}

const creationColumns = timeThenId<TrackRecordRow>('created_at', (row) => row.created_at, 'id');
const OLDEST_FIRST = new Keyset(creationColumns);
const MOST_SLIPPED_FIRST = new Keyset<TrackRecordRow>([
  { sql: 'slip_days', kind: 'int', reversed: true, cursorValue: (row) => row.slip_days },
  ...creationColumns,
]);

/** Audited fields of a vendor, as the API shows them. */
export const vendorSnapshot = (vendor: Vendor) => ({
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
          changes: creationChanges(vendorSnapshot(vendor)),
        });
        return VendorResponse.from(vendor);
      });
    } catch (error) {
      if (isUniqueViolation(error, NAME_INDEX)) throw new VendorNameTakenError(input.name);
      throw error;
    }
  }

  async list(query: ListVendorsQuery): Promise<Page<VendorResponse>> {
    if (query.sort === '-slipDays' || query.include === 'scorecard')
      return this.listWithTrackRecord(query);
    const builder = this.dataSource.getRepository(Vendor).createQueryBuilder('vendor');
    if (query.q) {
      builder.andWhere(`vendor.name ILIKE :pattern ESCAPE '\\'`, {
        pattern: `%${escapeLike(query.q)}%`,
      });
    }
    return pageByCreation(builder, query, VendorResponse.from);
  }

  /**
   * Vendors with their track record aggregated in one statement: for ordering by slip days
   * and for `include=scorecard`.
   */
  private async listWithTrackRecord(query: ListVendorsQuery): Promise<Page<VendorResponse>> {
    const keyset = query.sort === '-slipDays' ? MOST_SLIPPED_FIRST : OLDEST_FIRST;
    const parameters: unknown[] = [query.q ? `%${escapeLike(query.q)}%` : null, query.limit + 1];
    const position = keyset.positionOf(query.cursor);
    const after = position
      ? keyset.conditionAfter(position, (value) => `$${parameters.push(value)}`)
      : 'TRUE';
    const rows: TrackRecordRow[] = await this.dataSource.query(
      `SELECT * FROM (
         SELECT v.*,
                COALESCE(h.engagements, 0)::int AS engagement_count,
                COALESCE(h.slip_days, 0)::int AS slip_days,
                COALESCE(h.completed, 0)::int AS handovers_completed,
                COALESCE(h.on_time, 0)::int AS handovers_on_time,
                COALESCE(a.delivered, 0)::int AS artifacts_delivered,
                COALESCE(a.accepted, 0)::int AS artifacts_accepted
           FROM vendors v
           LEFT JOIN (
             SELECT e.vendor_id,
                    count(*) AS engagements,
                    sum(GREATEST(fh.due_date - fh.baseline_due_date, 0)) AS slip_days,
                    count(fh.completed_on) AS completed,
                    count(*) FILTER (WHERE fh.completed_on <= COALESCE(fh.baseline_due_date, fh.due_date)) AS on_time
               FROM engagements e
               LEFT JOIN milestones fh ON fh.engagement_id = e.id AND fh.kind = 'final_handover'
              GROUP BY e.vendor_id) h ON h.vendor_id = v.id
           LEFT JOIN (
             SELECT e.vendor_id,
                    count(*) FILTER (WHERE ar.delivered_at IS NOT NULL) AS delivered,
                    count(*) FILTER (WHERE ar.status = 'accepted') AS accepted
               FROM artifacts ar JOIN engagements e ON e.id = ar.engagement_id
              GROUP BY e.vendor_id) a ON a.vendor_id = v.id
          WHERE $1::text IS NULL OR v.name ILIKE $1 ESCAPE '\\') vendor
        WHERE ${after}
        ORDER BY ${keyset.orderBy()}
        LIMIT $2`,
      parameters,
    );
    return keyset.page(rows, query.limit, (row) => ({
      ...VendorResponse.from({
        id: row.id,
        name: row.name,
        contactEmail: row.contact_email,
        website: row.website,
        notes: row.notes,
        createdAt: row.created_at,
        updatedAt: row.updated_at,
        version: row.version,
      }),
      ...(query.include === 'scorecard'
        ? {
            scorecard: {
              engagements: row.engagement_count,
              slipDays: row.slip_days,
              handoverOnTimeRate: ratio(row.handovers_on_time, row.handovers_completed),
              acceptanceRate: ratio(row.artifacts_accepted, row.artifacts_delivered),
            },
          }
        : {}),
    }));
  }

  async get(id: string): Promise<VendorResponse> {
    const vendor = await this.dataSource.getRepository(Vendor).findOneBy({ id });
    if (!vendor) throw new VendorNotFoundError(id);
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
        const current = await lockForUpdate(manager, Vendor, id, VendorNotFoundError);
        const patch = definedFields(input, ['name', 'contactEmail', 'website', 'notes']);
        const updated = await updateVersioned(manager, Vendor, current, ifMatch, patch);
        await this.audit.record(manager, actor, {
          action: 'vendor.updated',
          entityType: 'vendor',
          entityId: id,
          changes: diffChanges(vendorSnapshot(current), vendorSnapshot(updated)),
        });
        return VendorResponse.from(updated);
      });
    } catch (error) {
      if (isUniqueViolation(error, NAME_INDEX)) throw new VendorNameTakenError(input.name ?? '');
      throw error;
    }
  }

  /** Deletes a vendor that has no engagements (their history must stay attributable). */
  async remove(actor: Actor, id: string, ifMatch: number | undefined): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const current = await lockForUpdate(manager, Vendor, id, VendorNotFoundError);
      assertVersion(ifMatch, current.version);
      const engagements = await manager.countBy(Engagement, { vendorId: id });
      if (engagements > 0) throw new VendorHasEngagementsError(engagements);
      await manager.delete(Vendor, { id });
      await this.audit.record(manager, actor, {
        action: 'vendor.deleted',
        entityType: 'vendor',
        entityId: id,
        changes: diffChanges(vendorSnapshot(current), {}),
      });
    });
  }
}
