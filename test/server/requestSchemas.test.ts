// The request schemas are both the server's check and the OpenAPI document: each documented
// field, given a wrong type, is refused naming that field; the document lists what the schema
// accepts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from '../../src/server/ApiError.ts';
import { openApiDocument } from '../../src/server/openApiDocument.ts';
import { checkBody, EmbedRequestSchema, fieldPath, PredictRequestSchema, SerializeRequestSchema } from '../../src/server/requestSchemas.ts';
import { TOKENIZER_NAMES } from '../../src/tokenize/getTokenizer.ts';

const valid = { events: [{ time: '2019-01-01', code: 'A' }], predictionTime: '2020-01-01' };

function refused(schema: Parameters<typeof checkBody>[0], body: unknown): ApiError {
  try {
    checkBody(schema, body);
  } catch (err) {
    assert.ok(err instanceof ApiError, String(err));
    return err;
  }
  assert.fail(`accepted ${JSON.stringify(body)}`);
}

describe('request schemas (server/requestSchemas.ts)', () => {
  it('field paths read like the request: events[2].extra.end', () => {
    assert.equal(fieldPath(['events', 2, 'extra', 'end']), 'events[2].extra.end');
    assert.equal(fieldPath([]), '');
  });

  it('every documented field of each request body, given a wrong type, is a 400 naming it', () => {
    const schemas = openApiDocument('0').components as { schemas: Record<string, { properties: Record<string, unknown> }> };
    const wrong = {
      predictionTime: 12,
      events: 'x',
      subjectId: true,
      format: 'html',
      maxTokens: -1,
      tokenizer: 'gpt',
      model: 3,
      instruction: 4,
      tasks: [],
    } as Record<string, unknown>;
    for (const [name, schema] of [
      ['SerializeRequest', SerializeRequestSchema],
      ['EmbedRequest', EmbedRequestSchema],
      ['PredictRequest', PredictRequestSchema],
    ] as const) {
      assert.ok(checkBody(schema, valid), name);
      for (const field of Object.keys(schemas.schemas[name]?.properties ?? {})) {
        if (field === 'bundle') continue; // any JSON: the FHIR converter checks it
        assert.ok(field in wrong, `${name}.${field} has a wrong value in this test`);
        const err = refused(schema, { ...valid, [field]: wrong[field] });
        assert.equal(err.status, 400);
        assert.equal(err.code, 'invalid_request');
        assert.equal(err.path, field, `${name}.${field}: ${err.message}`);
      }
    }
  });

  it('messages name what was expected and what came', () => {
    assert.equal(
      refused(SerializeRequestSchema, { ...valid, tokenizer: 'gpt' }).message,
      `tokenizer must be one of ${TOKENIZER_NAMES.join(', ')}, got "gpt"`,
    );
    assert.equal(
      refused(SerializeRequestSchema, { ...valid, maxTokens: 2.5 }).message,
      'maxTokens must be a positive integer or null, got 2.5',
    );
    assert.equal(
      refused(SerializeRequestSchema, { events: valid.events }).message,
      'predictionTime is required: an ISO 8601 date-time such as 2019-05-01T12:00:00Z',
    );
    const e = refused(SerializeRequestSchema, { ...valid, events: [{ code: 'A' }, { code: 'B', extra: { unit: [1] } }] });
    assert.deepEqual([e.path, e.message], ['events[1].extra.unit', 'extra values must be strings, numbers or booleans']);
    assert.equal(refused(PredictRequestSchema, { ...valid, tasks: ['a', ''] }).path, 'tasks[1]');
    // null settings mean "the default", as the document says (anyOf with null).
    assert.ok(checkBody(SerializeRequestSchema, { ...valid, format: null, tokenizer: null, maxTokens: null }));
  });
});
