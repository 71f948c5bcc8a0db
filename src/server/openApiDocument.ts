/**
 * The OpenAPI 3.1 description of the service (`GET /openapi.json`). The request bodies (and
 * MedsEvent, Settings) are generated from the zod schemas of requestSchemas.ts, the ones the
 * server checks requests with; responses are described here next to the routes. Name lists
 * (formats, tokenizers, model families) come from their registries.
 */
import { MODEL_FAMILIES } from '../embed/Embedder.ts';
import { requestJsonSchemas } from './requestSchemas.ts';

const ERROR = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message', 'path'],
      properties: {
        code: {
          type: 'string',
          description: 'Machine-readable code',
          examples: [
            'invalid_json',
            'invalid_request',
            'invalid_bundle',
            'no_patient',
            'unknown_task',
            'unknown_subject',
            'settings_mismatch',
            'unauthorized',
            'payload_too_large',
            'embedding_failed',
          ],
        },
        message: { type: 'string', description: 'What was wrong and what was expected (never echoes patient content)' },
        path: { type: ['string', 'null'], description: 'The request field concerned, e.g. `predictionTime` or `bundle.entry`' },
      },
    },
  },
} as const;

const err = (description: string): Record<string, unknown> => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

const EVENT_REF = {
  type: 'object',
  properties: { time: { type: ['string', 'null'], format: 'date-time' }, code: { type: 'string' } },
} as const;

const json = (schema: unknown): Record<string, unknown> => ({ content: { 'application/json': { schema } } });

/** The OpenAPI 3.1 document of this server. */
export function openApiDocument(version: string): Record<string, unknown> {
  const commonErrors = {
    '400': err('Invalid request: malformed JSON, missing or invalid predictionTime, a bundle without a Patient, a bad field'),
    '401': err('API key required'),
    '413': err('Request body larger than --max-body'),
  };
  return {
    openapi: '3.1.0',
    info: {
      title: 'ehr-embed service',
      version,
      description:
        'FHIR in, risk scores out: a record is serialized to the text a model reads, embedded, and scored by trained probes, with the same code as the batch pipeline (`convert` → `embed` → `train`). Send `Authorization: Bearer <key>` or `x-api-key: <key>` when the server requires a key (always when bound to a non-loopback address).',
      license: { name: 'Apache-2.0' },
    },
    security: [{ bearer: [] }, { apiKey: [] }],
    paths: {
      '/healthz': {
        get: {
          summary: 'Liveness',
          security: [],
          responses: {
            '200': {
              description: 'Up',
              ...json({
                type: 'object',
                properties: { status: { const: 'ok' }, version: { type: 'string' }, uptimeSeconds: { type: 'integer' } },
              }),
            },
          },
        },
      },
      '/openapi.json': { get: { summary: 'This document', security: [], responses: { '200': { description: 'OpenAPI 3.1' } } } },
      '/': {
        get: {
          summary: 'The inspector page (HTML): the text a model reads, line by line with its source events, and the predictions',
          security: [],
          responses: { '200': { description: 'HTML', content: { 'text/html': {} } } },
        },
      },
      '/v1/models': {
        get: {
          summary: 'The embedding model, the default serializer settings and the loaded probes',
          responses: { '200': { description: 'Models', ...json({ $ref: '#/components/schemas/Models' }) }, '401': err('API key required') },
        },
      },
      '/v1/serialize': {
        post: {
          summary: 'The text a model reads for a record at a prediction time',
          requestBody: { required: true, ...json({ $ref: '#/components/schemas/SerializeRequest' }) },
          responses: {
            '200': { description: 'Serialized text', ...json({ $ref: '#/components/schemas/SerializeResponse' }) },
            ...commonErrors,
          },
        },
      },
      '/v1/embed': {
        post: {
          summary: 'The embedding of a record at a prediction time',
          requestBody: { required: true, ...json({ $ref: '#/components/schemas/EmbedRequest' }) },
          responses: {
            '200': { description: 'Embedding', ...json({ $ref: '#/components/schemas/EmbedResponse' }) },
            ...commonErrors,
            '502': err('The embedding model failed'),
          },
        },
      },
      '/v1/predict': {
        post: {
          summary: 'Probabilities of tasks from the loaded probes, each with its own serializer settings, model and instruction',
          requestBody: { required: true, ...json({ $ref: '#/components/schemas/PredictRequest' }) },
          responses: {
            '200': { description: 'Predictions', ...json({ $ref: '#/components/schemas/PredictResponse' }) },
            ...commonErrors,
            '502': err('The embedding model failed'),
          },
        },
      },
      '/v1/inspect': {
        post: {
          summary: "The inspector's view: the whole text, the lines the budget cut, and each line's source events",
          requestBody: { required: true, ...json({ $ref: '#/components/schemas/SerializeRequest' }) },
          responses: { '200': { description: 'Inspection', ...json({ $ref: '#/components/schemas/InspectResponse' }) }, ...commonErrors },
        },
      },
      '/v1/subjects': {
        get: {
          summary: 'Subjects of the --meds dataset',
          parameters: [
            { name: 'offset', in: 'query', schema: { type: 'integer', minimum: 0, default: 0 } },
            { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 0, maximum: 500, default: 100 } },
            { name: 'q', in: 'query', schema: { type: 'string' }, description: 'Prefix of the subject id or part of the source id' },
          ],
          responses: {
            '200': {
              description: 'A page of subjects',
              ...json({
                type: 'object',
                properties: {
                  total: { type: 'integer' },
                  offset: { type: 'integer' },
                  limit: { type: 'integer' },
                  subjects: { type: 'array', items: { $ref: '#/components/schemas/SubjectSummary' } },
                },
              }),
            },
            '404': err('No dataset loaded'),
          },
        },
      },
      '/v1/subjects/{id}': {
        get: {
          summary: 'One subject of the --meds dataset: event count, time range, labels',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' }, description: 'MEDS subject id or source id' }],
          responses: {
            '200': { description: 'Subject', ...json({ $ref: '#/components/schemas/SubjectDetail' }) },
            '404': err('Unknown subject or no dataset loaded'),
          },
        },
      },
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' }, apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' } },
      schemas: {
        Error: ERROR,
        // MedsEvent, Settings and the request bodies: generated from the zod schemas the server checks with.
        ...requestJsonSchemas(),
        Truncation: {
          type: 'object',
          properties: {
            truncated: { type: 'boolean' },
            maxTokens: { type: ['integer', 'null'] },
            tokensBefore: { type: 'integer' },
            tokensAfter: { type: 'integer' },
            linesBefore: { type: 'integer' },
            linesAfter: { type: 'integer' },
            droppedSections: { type: 'array', items: { type: 'string' } },
            droppedDetailedVisits: { type: 'array', items: { type: 'string' } },
            droppedVisitSummaries: { type: 'array', items: { type: 'string' } },
            droppedEventLines: { type: 'integer' },
            droppedHeadLines: { type: 'integer' },
          },
        },
        SerializeResponse: {
          type: 'object',
          properties: {
            subjectId: { type: 'integer' },
            predictionTime: { type: 'string', format: 'date-time' },
            settings: { $ref: '#/components/schemas/Settings' },
            text: { type: 'string' },
            tokenCount: { type: 'integer' },
            truncation: { $ref: '#/components/schemas/Truncation' },
            lines: {
              type: 'array',
              items: { type: 'object', properties: { text: { type: 'string' }, sources: { type: 'array', items: EVENT_REF } } },
              description: 'Per line of text (split on newlines), its source events',
            },
          },
        },
        EmbedResponse: {
          type: 'object',
          properties: {
            embedding: { type: 'array', items: { type: 'number' } },
            model: { type: 'string' },
            family: { type: 'string', enum: [...MODEL_FAMILIES] },
            dims: { type: 'integer' },
            instruction: { type: ['string', 'null'] },
            tokenCount: { type: 'integer' },
          },
        },
        PredictResponse: {
          type: 'object',
          properties: {
            subjectId: { type: 'integer' },
            predictionTime: { type: 'string', format: 'date-time' },
            model: { type: 'string' },
            predictions: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  task: { type: 'string' },
                  probability: { type: 'number', minimum: 0, maximum: 1 },
                  probe: {
                    type: 'object',
                    description: "The probe's identity",
                    properties: {
                      checksum: { type: 'string' },
                      model: { type: 'string' },
                      createdAt: { type: 'string' },
                      C: { type: 'number' },
                      validationAuroc: { type: ['number', 'null'] },
                    },
                  },
                },
              },
            },
          },
        },
        InspectResponse: {
          type: 'object',
          properties: {
            subjectId: { type: 'integer' },
            predictionTime: { type: 'string', format: 'date-time' },
            settings: { $ref: '#/components/schemas/Settings' },
            eventsUsed: { type: 'integer' },
            eventsTotal: { type: 'integer' },
            text: { type: 'string', description: 'The budgeted text (what the model reads)' },
            tokenCount: { type: 'integer' },
            tokensBefore: { type: 'integer' },
            truncation: { $ref: '#/components/schemas/Truncation' },
            lines: {
              type: 'array',
              description: 'Lines of the whole text without a budget; cut: not in the budgeted text',
              items: {
                type: 'object',
                properties: {
                  text: { type: 'string' },
                  cut: { type: 'boolean' },
                  events: {
                    type: 'array',
                    items: {
                      type: 'object',
                      properties: {
                        time: { type: ['string', 'null'] },
                        code: { type: 'string' },
                        description: { type: ['string', 'null'] },
                        numericValue: { type: ['number', 'null'] },
                        textValue: { type: ['string', 'null'] },
                        unit: { type: ['string', 'null'] },
                      },
                    },
                  },
                },
              },
            },
          },
        },
        Models: {
          type: 'object',
          properties: {
            model: {
              type: 'object',
              properties: {
                spec: { type: 'string' },
                family: { type: 'string' },
                dims: { type: ['integer', 'null'] },
                description: { type: 'string' },
              },
            },
            defaults: { $ref: '#/components/schemas/Settings' },
            cache: { type: 'boolean' },
            probes: {
              type: 'array',
              items: { type: 'object', description: 'task, checksum, createdAt, model, serializer, instruction, training' },
            },
            dataset: { type: ['object', 'null'], properties: { subjects: { type: 'integer' }, labels: { type: 'boolean' } } },
            choices: {
              type: 'object',
              description: 'The values this server accepts, from the same registries it checks requests against',
              properties: {
                formats: { type: 'array', items: { type: 'string' } },
                tokenizers: { type: 'array', items: { type: 'string' } },
              },
            },
          },
        },
        SubjectSummary: {
          type: 'object',
          properties: {
            subjectId: { type: 'integer' },
            sourceId: { type: ['string', 'null'] },
            split: { type: ['string', 'null'] },
            labels: { type: 'integer' },
          },
        },
        SubjectDetail: {
          allOf: [
            { $ref: '#/components/schemas/SubjectSummary' },
            {
              type: 'object',
              properties: {
                events: { type: 'integer' },
                firstTime: { type: ['string', 'null'] },
                lastTime: { type: ['string', 'null'] },
                labelList: {
                  type: 'array',
                  items: {
                    type: 'object',
                    properties: {
                      task: { type: 'string' },
                      predictionTime: { type: 'string' },
                      value: { type: ['boolean', 'number', 'string', 'null'] },
                    },
                  },
                },
              },
            },
          ],
        },
      },
    },
  };
}
