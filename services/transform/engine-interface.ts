// What every XSLT engine offers, apart from engine.ts, which loads the engines: so an engine
// imports this file and no import goes round in a circle.
export type EngineName = 'xsltproc' | 'xslt-processor';
export const ENGINE_NAMES: readonly EngineName[] = ['xsltproc', 'xslt-processor'];

export interface TransformEngine {
  readonly name: EngineName;
  /** Applies one stylesheet file to `input` (an XML document) with string parameters; returns the output text. */
  transform(stylesheetPath: string, input: string, params: Record<string, string>): Promise<string>;
}
