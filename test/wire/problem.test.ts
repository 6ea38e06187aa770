// problem+json both ways: every error code survives build → parse with its code and the HTTP status
// of the error table; a body that is not a cibsync problem is refused with one stable code.
import { describe, expect, it } from 'vitest';
import { CibsyncError, ERRORS, type ErrorCode } from '../../services/errors.js';
import { CONTENT_TYPE, errorFromProblem, problemOf } from '../../services/wire/index.js';

const URL = 'https://127.0.0.1:7443/v1/publication';

describe('problem+json', () => {
  it('carries every error code there and back, with the status the error table gives it', () => {
    for (const code of Object.keys(ERRORS) as ErrorCode[]) {
      const { status, problem } = problemOf(new CibsyncError(code, `why ${code}`, { ticket: 'ticketA' }));
      expect(status, code).toBe(ERRORS[code].http);
      expect(problem, code).toMatchObject({ code, title: code, status, detail: `why ${code}`, ticket: 'ticketA' });
      const back = errorFromProblem(URL, status, Buffer.from(JSON.stringify(problem)));
      expect(back.code, code).toBe(code);
      expect(back.message).toBe(`${URL}: why ${code}`);
      expect(back.details).toEqual({ url: URL, status: ERRORS[code].http });
    }
  });

  it('gives every row of the error table an HTTP error status', () => {
    for (const [code, spec] of Object.entries(ERRORS))
      expect([400, 403, 404, 409, 422, 500, 502, 503], code).toContain(spec.http);
  });

  it('keeps a status the caller imposes (a publisher with nothing to serve answers 503 whatever the cause)', () => {
    expect(problemOf(new CibsyncError('CIBSYNC_PCMK_ERROR', 'cibadmin failed'), 503)).toMatchObject({
      status: 503,
      problem: { status: 503 },
    });
  });

  it("answers under the table's status even where the details carry a status of their own (a plan's), as the body always has", () => {
    const answer = problemOf(
      new CibsyncError('CIBSYNC_PLAN_NOT_PENDING', 'plan p is superseded, not pending', {
        plan: 'p',
        status: 'superseded',
      }),
    );
    expect(answer.status).toBe(409);
    expect(answer.problem.status).toBe('superseded');
  });

  it('never sends a stack trace', () => {
    const { status, problem } = problemOf(new Error('boom'));
    expect(problem.code).toBe('CIBSYNC_INTERNAL');
    expect(status).toBe(500);
    expect(problem).not.toHaveProperty('stack');
  });

  it('is answered as application/problem+json', () => {
    expect(CONTENT_TYPE.problem).toBe('application/problem+json');
  });

  const malformed: [string, string][] = [
    ['an empty body', ''],
    ['HTML', '<html><body>502 Bad Gateway</body></html>'],
    ['truncated JSON', '{"code":"CIBSYNC_TICKET_NOT_HELD","det'],
    ['a JSON array', '["CIBSYNC_TICKET_NOT_HELD"]'],
    ['JSON null', 'null'],
    ["no code (fastify's own error)", '{"statusCode":404,"error":"Not Found","message":"Route GET:/x not found"}'],
    ['a code that is not a string', '{"code":42,"detail":"x"}'],
    ['a code not in the table', '{"code":"CIBSYNC_NO_SUCH_THING","detail":"x"}'],
    ['a code from the prototype', '{"code":"toString","detail":"x"}'],
    ['a detail that is not a string', '{"code":"CIBSYNC_TICKET_NOT_HELD","detail":{"x":1}}'],
  ];
  for (const [what, body] of malformed) {
    it(`refuses ${what} with CIBSYNC_FETCH_FAILED, naming the status`, () => {
      const error = errorFromProblem(URL, 502, Buffer.from(body));
      expect(error.code).toBe('CIBSYNC_FETCH_FAILED');
      expect(error.message).toMatch(/unexpected HTTP status 502 \(.+\)/);
      expect(error.details).toMatchObject({ url: URL, status: 502 });
    });
  }
});
