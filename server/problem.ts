/**
 * RFC 9457 problem details: the one error body shape of every Tickforge HTTP endpoint, on the lobby
 * and on game nodes. `type` is a stable URI per kind of problem; `errors` names the fields at fault.
 */

/** One field that failed validation: a JSON Pointer into the request and what is wrong with it. */
export interface FieldProblem {
  readonly field: string;
  readonly message: string;
}

export interface ProblemDetails {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail?: string;
  readonly errors?: readonly FieldProblem[];
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Build a problem body with a `type` under the project's problem namespace. */
export function problem(
  status: number,
  kind: string,
  title: string,
  detail?: string,
  errors?: readonly FieldProblem[],
): ProblemDetails {
  return {
    type: `https://tickforge.dev/problems/${kind}`,
    title,
    status,
    ...(detail ? { detail } : {}),
    ...(errors?.length ? { errors } : {}),
  };
}

/** Ajv's errors as field problems (`instancePath` as the field, plus the missing/extra property). */
export function fieldProblems(
  errors:
    | readonly { instancePath: string; keyword: string; message?: string; params: Record<string, unknown> }[]
    | null
    | undefined,
  prefix = '',
): FieldProblem[] {
  return (errors ?? []).map((e) => {
    const property =
      e.keyword === 'required'
        ? `/${String(e.params.missingProperty)}`
        : e.keyword === 'additionalProperties'
          ? `/${String(e.params.additionalProperty)}`
          : '';
    const message =
      e.keyword === 'additionalProperties'
        ? 'is not an allowed field'
        : e.keyword === 'required'
          ? 'is required'
          : (e.message ?? 'is invalid');
    return { field: `${prefix}${e.instancePath}${property}` || '/', message };
  });
}
