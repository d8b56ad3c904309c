import { compileShape } from '../state-shape.ts';

/** A shape with every field kind, shared by the codec's unit tests. */
export const testShape = compileShape({
  player: {
    x: { type: 'number', quantize: 0.01 },
    hp: { type: 'int' },
    alive: { type: 'bool' },
    name: { type: 'string' },
    speed: { type: 'number' },
  },
  orb: { v: { type: 'int' } },
});

/** Wire indexes of testShape's types. */
export const PLAYER = 0;
export const ORB = 1;
