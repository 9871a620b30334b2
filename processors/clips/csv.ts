import { FilmroomError } from '../../common/errors.ts';

/** One parsed CSV data row: its 1-based line number in the file and its cells by header name. */
export interface CsvRow {
  line: number;
  cells: Record<string, string>;
}

/**
 * Parses RFC 4180 CSV (quoted fields with "" escapes, commas and newlines inside quotes, CRLF or LF)
 * with a header line. Pure. Header names are trimmed and lower-cased; blank lines are skipped.
 */
export function parseCsv(text: string): { header: string[]; rows: CsvRow[] } {
  const records: { line: number; fields: string[] }[] = [];
  let field = '';
  let fields: string[] = [];
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  let fieldStarted = false;
  const endRecord = () => {
    fields.push(field);
    if (!(fields.length === 1 && fields[0] === '' && !fieldStarted)) records.push({ line: recordLine, fields });
    fields = [];
    field = '';
    fieldStarted = false;
  };
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (quoted) {
      if (c === '"') {
        if (body[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (c === '\n') line++;
        field += c;
      }
    } else if (c === '"') {
      if (field !== '') throw new FilmroomError('USAGE', `CSV line ${line}: a quote inside an unquoted field`);
      quoted = true;
      fieldStarted = true;
    } else if (c === ',') {
      fields.push(field);
      field = '';
      fieldStarted = true;
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && body[i + 1] === '\n') i++;
      endRecord();
      line++;
      recordLine = line;
    } else {
      field += c;
      fieldStarted = true;
    }
  }
  if (quoted) throw new FilmroomError('USAGE', `CSV line ${recordLine}: a quoted field is not closed`);
  if (field !== '' || fields.length > 0 || fieldStarted) endRecord();
  const [first, ...data] = records;
  if (!first) throw new FilmroomError('USAGE', 'CSV is empty: expected a header line');
  const header = first.fields.map((h) => h.trim().toLowerCase());
  const rows = data.map((record) => {
    if (record.fields.length !== header.length) {
      return { line: record.line, cells: { __error: `has ${record.fields.length} fields, the header has ${header.length}` } };
    }
    return { line: record.line, cells: Object.fromEntries(header.map((name, i) => [name, record.fields[i]!.trim()])) };
  });
  return { header, rows };
}
