import { SnakeNamingStrategy } from './snake-naming.strategy.js';

describe('SnakeNamingStrategy', () => {
  const strategy = new SnakeNamingStrategy();

  describe('columnName', () => {
    it.each([
      ['id', 'id'],
      ['name', 'name'],
      ['createdAt', 'created_at'],
      ['engagementId', 'engagement_id'],
      ['successMetrics', 'success_metrics'],
      ['keyPrefixHash', 'key_prefix_hash'],
      ['apiKeyId', 'api_key_id'],
      ['APIKey', 'api_key'],
      ['httpURL', 'http_url'],
      ['urlHTTPHandler', 'url_http_handler'],
      ['version2', 'version2'],
      ['version2Id', 'version2_id'],
      ['already_snake', 'already_snake'],
      ['Capitalised', 'capitalised'],
    ])('maps the property %s to the column %s', (property, column) => {
      expect(strategy.columnName(property, undefined, [])).toBe(column);
    });

    it('uses the custom name instead of the property name', () => {
      expect(strategy.columnName('createdAt', 'created', [])).toBe('created');
    });

    it('also converts a camelCase custom name to snake_case', () => {
      expect(strategy.columnName('createdAt', 'insertedOn', [])).toBe('inserted_on');
    });

    it.each<[string[], string, string | undefined, string]>([
      [['address'], 'street', undefined, 'address_street'],
      [['billingAddress'], 'postCode', undefined, 'billing_address_post_code'],
      [['contact', 'homeAddress'], 'streetName', undefined, 'contact_home_address_street_name'],
      [['audit'], 'createdAt', 'madeAt', 'audit_made_at'],
    ])('prefixes embedded columns with %j: %s -> %s', (prefixes, property, custom, column) => {
      expect(strategy.columnName(property, custom, prefixes)).toBe(column);
    });
  });

  describe('tableName', () => {
    it.each([
      ['Engagement', 'engagement'],
      ['ApiKey', 'api_key'],
      ['KnowledgeTransferSession', 'knowledge_transfer_session'],
      ['HTTPLog', 'http_log'],
    ])('maps the entity class %s to the table %s', (target, table) => {
      expect(strategy.tableName(target, undefined)).toBe(table);
    });

    it('keeps a table name the entity specifies, unchanged', () => {
      expect(strategy.tableName('ApiKey', 'apiKeysV2')).toBe('apiKeysV2');
    });
  });

  describe('relation and join names', () => {
    it('maps a relation property to snake_case', () => {
      expect(strategy.relationName('ownerTeam')).toBe('owner_team');
    });

    it('joins a relation and its referenced column for a join column', () => {
      expect(strategy.joinColumnName('engagement', 'id')).toBe('engagement_id');
      expect(strategy.joinColumnName('ownerTeam', 'externalId')).toBe('owner_team_external_id');
    });

    it('names a join table after the first table and the owning property', () => {
      expect(strategy.joinTableName('engagement', 'tag', 'relatedTags')).toBe(
        'engagement_related_tags',
      );
    });

    it('replaces dots of an embedded owning property in a join table name', () => {
      expect(strategy.joinTableName('engagement', 'tag', 'meta.tagList')).toBe(
        'engagement_meta_tag_list',
      );
    });

    it('names a join table column after the table and the column, or else the property', () => {
      expect(strategy.joinTableColumnName('engagement', 'id', 'engagementId')).toBe(
        'engagement_engagement_id',
      );
      expect(strategy.joinTableColumnName('apiKey', 'id')).toBe('api_key_id');
    });
  });
});
