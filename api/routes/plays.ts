import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import type { FromSchema } from 'json-schema-to-ts';
import { FilmroomError } from '../../common/errors.ts';
import { importPlays } from '../../processors/clips/import-plays.ts';
import { idPattern, playColumns, playRowsOfCsv, playRowsOfJson, type RawPlayRow } from '../../processors/clips/plays.ts';
import { parseS3Uri } from '../../storage/object-location.ts';
import { authErrors, errorSchema } from '../schemas/common.ts';

const gameId = { type: 'string', pattern: idPattern.source } as const;
const gameParams = { type: 'object', required: ['id'], properties: { id: gameId } } as const;
const cellValue = { anyOf: [{ type: 'string', maxLength: 10_000 }, { type: 'number', minimum: -1e12, maximum: 1e12 }, { type: 'null' }] } as const;
/** The columns by name (as the CSV header's, lower case); any other name is refused. */
const playItem = {
  type: 'object',
  additionalProperties: false,
  properties: Object.fromEntries(playColumns.map((name) => [name, cellValue])) as Record<string, typeof cellValue>,
} as const;
const rowErrors = {
  type: 'array',
  items: {
    type: 'object',
    additionalProperties: false,
    properties: { row: { type: 'string' }, play_id: { type: 'string' }, field: { type: 'string' }, message: { type: 'string' } },
  },
} as const;
const importResult = {
  type: 'object',
  properties: {
    game_id: { type: 'string' },
    accepted: { type: 'integer' },
    rejected: { type: 'integer' },
    errors: rowErrors,
    clips: { type: 'integer' },
    plays_event_id: { type: ['string', 'null'] },
    videos: {
      type: 'array',
      items: { type: 'object', properties: { camera: { type: 'string' }, video_id: { type: 'string' }, clips: { type: 'integer' } } },
    },
  },
} as const;

const playsJson = {
  oneOf: [
    { type: 'array', minItems: 1, maxItems: 10_000, items: playItem },
    {
      type: 'object',
      additionalProperties: false,
      required: ['plays'],
      properties: { plays: { type: 'array', minItems: 1, maxItems: 10_000, items: playItem } },
    },
  ],
} as const;
const playsCsv = { type: 'string', minLength: 1 } as const;
/** A body per media type: the type provider does not follow `content`, so the type comes from the same schemas here. */
type PlaysBody = FromSchema<typeof playsJson> | FromSchema<typeof playsCsv>;

/**
 * Plays of a game arrive here (JSON or CSV), are validated row by row and become plays-imported plus
 * one clips-requested per camera video; readers follow the game's clips. The API emits events and
 * reads projections only.
 */
const playRoutes: FastifyPluginAsyncJsonSchemaToTs = async (app) => {
  app.addContentTypeParser('text/csv', { parseAs: 'string' }, (_request, body, done) => done(null, body));

  app.post(
    '/v1/games/:id/plays',
    {
      onRequest: app.requireRole('uploader'),
      schema: {
        summary: "Import a game's plays (JSON or CSV); emits plays-imported and clips-requested per camera video",
        description:
          'Rows: play_id, angle (LEFT|RIGHT by default), start_s, end_s (or start_timestamp/end_timestamp), play_type, annotation, optional game_id. ' +
          'Valid rows are imported and every invalid row is reported with its field; 202 when at least one row is valid, 422 when none is.',
        params: gameParams,
        querystring: { type: 'object', additionalProperties: false, properties: { mode: { type: 'string', enum: ['reencode', 'copy'] } } },
        body: { content: { 'application/json': { schema: playsJson }, 'text/csv': { schema: playsCsv } } },
        response: {
          202: importResult,
          ...authErrors,
          422: {
            description: 'No valid row (each listed in `errors` with its field), or a CSV header lacking a column or naming an unknown one',
            type: 'object',
            properties: { error: { type: 'string' }, message: { type: 'string' }, errors: rowErrors },
          },
        },
      },
    },
    async (request, reply) => {
      const body = request.body as PlaysBody | undefined;
      // A body in no media type the route takes is not validated by Fastify: say what to send.
      if (body === undefined || body === null) throw new FilmroomError('VALIDATION_FAILED', 'body: send the plays as application/json or text/csv');
      let rows: RawPlayRow[];
      if (typeof body === 'string') {
        const parsed = playRowsOfCsv(body);
        // The CSV's schema is only "text": its header is checked here, and a wrong one is unprocessable (422), not malformed.
        if (parsed.missingColumns.length) throw new FilmroomError('UNPROCESSABLE', `body: the CSV header lacks column(s) ${parsed.missingColumns.join(', ')}`);
        if (parsed.unknownColumns.length)
          throw new FilmroomError(
            'UNPROCESSABLE',
            `body: unknown CSV column(s) ${parsed.unknownColumns.join(', ')}; the columns are ${playColumns.join(', ')}`,
          );
        rows = parsed.rows;
      } else {
        rows = playRowsOfJson(Array.isArray(body) ? body : body.plays);
      }
      const result = await importPlays(
        {
          angleMap: app.config.clips.angleMap,
          gameVideos: (id) => app.readModel.gameVideos(id),
          publish: (outputs) => app.publisher.publish(outputs),
          now: Date.now,
        },
        {
          gameId: request.params.id,
          rows,
          mode: request.query.mode === 'copy' ? 'COPY' : request.query.mode === 'reencode' ? 'REENCODE' : null,
          importer: request.apiKeyName ?? 'api',
          producer: { name: 'api', version: '0.1.0' },
        },
      );
      if (result.accepted === 0) {
        throw new FilmroomError(
          'UNPROCESSABLE',
          `no valid play among ${result.rejected} row(s): ${result.errors
            .slice(0, 3)
            .map((e) => `${e.row} ${e.field}: ${e.message}`)
            .join('; ')}`,
          { details: result.errors },
        );
      }
      return reply.status(202).send({ ...result });
    },
  );

  app.get(
    '/v1/games/:id/clips',
    {
      onRequest: app.requireRole('reader'),
      schema: {
        summary: "A game's plays, its clips with their status (PENDING, OK, FAILED and the cause) and its latest dataset export",
        params: gameParams,
        response: {
          200: {
            type: 'object',
            properties: {
              game_id: { type: 'string' },
              plays: { type: 'integer' },
              play_list: {
                type: 'array',
                description: 'The plays, by id',
                items: {
                  type: 'object',
                  properties: {
                    play_id: { type: 'string' },
                    angle: { type: 'string' },
                    start_s: { type: 'number' },
                    end_s: { type: 'number' },
                    play_type: { type: ['string', 'null'] },
                    annotation: { type: 'string' },
                  },
                },
              },
              counts: { type: 'object', properties: { pending: { type: 'integer' }, ok: { type: 'integer' }, failed: { type: 'integer' } } },
              clips: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    clip_id: { type: 'string' },
                    play_id: { type: 'string' },
                    camera: { type: 'string' },
                    video_id: { type: 'string' },
                    start_s: { type: 'number' },
                    end_s: { type: 'number' },
                    mode: { type: 'string' },
                    status: { type: 'string' },
                    clip_uri: { type: 'string' },
                    url: { type: 'string', description: 'GET it for the clip (video/mp4); only for an OK clip' },
                    bytes: { type: 'integer' },
                    error_code: { type: 'string' },
                    message: { type: 'string' },
                  },
                },
              },
              dataset: {
                type: ['object', 'null'],
                properties: {
                  format: { type: 'string' },
                  training_uri: { type: 'string' },
                  validation_uri: { type: 'string' },
                  training_examples: { type: 'integer' },
                  validation_examples: { type: 'integer' },
                  occurred_at: { type: 'string' },
                },
              },
            },
          },
          ...authErrors,
          404: errorSchema,
        },
      },
    },
    async (request) => {
      const id = request.params.id;
      const [plays, clips, dataset] = await Promise.all([app.readModel.gamePlays(id), app.readModel.gameClips(id), app.readModel.latestDataset(id)]);
      if (plays.length === 0 && clips.length === 0) throw new FilmroomError('NOT_FOUND', `no plays for game ${id}`);
      const count = (status: string) => clips.filter((c) => c.status === status).length;
      return {
        game_id: id,
        plays: plays.length,
        play_list: plays,
        counts: { pending: count('PENDING'), ok: count('OK'), failed: count('FAILED') },
        clips: clips.map((c) => (c.status === 'OK' && c.clip_uri ? { ...c, url: `/v1/games/${id}/clips/${c.clip_id}` } : c)),
        dataset: dataset ?? null,
      };
    },
  );

  app.get(
    '/v1/games/:id/clips/:clip',
    {
      onRequest: app.requireRole('reader'),
      schema: {
        summary: "One of a game's cut clips (video/mp4)",
        params: {
          type: 'object',
          required: ['id', 'clip'],
          properties: { id: gameId, clip: { type: 'string', maxLength: 300, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' } },
        },
        response: { 200: { description: 'The clip (video/mp4)', type: 'string', format: 'binary' }, ...authErrors, 404: errorSchema },
      },
    },
    async (request, reply) => {
      const { id, clip } = request.params;
      // Only a clip the projections recorded as cut is served: the name never reaches S3 on its own.
      const row = (await app.readModel.gameClips(id)).find((c) => c.clip_id === clip && c.status === 'OK' && c.clip_uri);
      if (!row) throw new FilmroomError('NOT_FOUND', `game ${id} has no cut clip ${clip}`);
      const body = await app.objectStore.get(parseS3Uri(row.clip_uri));
      return reply
        .header('content-type', 'video/mp4')
        .header('cache-control', 'private, max-age=60')
        .send(body as never); // bytes go out as they are: the type provider only knows the JSON answers
    },
  );
};

export default playRoutes;
