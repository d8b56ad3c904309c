import { describe, expect, it } from 'vitest';
import {
  InvalidArgumentError,
  InvalidCursorError,
  SchemaTooNewError,
  UnknownBoardError,
} from '../store/errors.ts';
import { UnauthorizedError, ValidationError } from './errors.ts';
import { toProblem } from './problem.ts';

describe('toProblem', () => {
  it('maps store errors a client can cause to 404/400 and leaves the rest to the generic 500', () => {
    expect(toProblem(new UnknownBoardError('kills'))).toMatchObject({
      status: 404,
      type: 'https://tickforge.dev/problems/unknown-board',
    });
    expect(toProblem(new InvalidArgumentError('limit', 'must be 1-100'))).toMatchObject({ status: 400 });
    expect(toProblem(new InvalidCursorError())).toMatchObject({
      status: 400,
      type: 'https://tickforge.dev/problems/invalid-cursor',
    });
    expect(toProblem(new SchemaTooNewError(9, 1))).toBeUndefined();
    expect(toProblem(new Error('boom'))).toBeUndefined();
  });

  it('keeps the fields of a validation error and the status of lobby errors', () => {
    const errors = [{ field: '/body/name', message: 'is required' }];
    expect(toProblem(new ValidationError(errors))).toMatchObject({ status: 400, errors });
    expect(toProblem(new UnauthorizedError('expired'))).toMatchObject({ status: 401, detail: 'expired' });
  });
});
