// The TypeScript twins of the CEL rules, on the cases their CEL texts distinguish.
import { RULES, twinOf } from './rules.js';

describe('CEL rule twins', () => {
  it('finds a twin by its CEL text and refuses a rule written outside the table', () => {
    expect(twinOf(RULES.stepsIncrease.rule)).toBe(RULES.stepsIncrease);
    expect(() => twinOf('self.x > 1')).toThrow(/without a TypeScript twin/);
  });

  it.each([
    [[{ setWeight: 1 }, { setWeight: 5 }, { setWeight: 100 }], true],
    [[{ setWeight: 100 }], true],
    [[{ setWeight: 5 }, { setWeight: 5 }], false],
    [[{ setWeight: 5 }, { setWeight: 1 }], false],
  ])('stepsIncrease(%j) is %s', (steps, expected) => {
    expect(RULES.stepsIncrease.holds(steps)).toBe(expected);
  });

  it.each([
    ['500m', true], ['2', true], ['512Mi', true], ['1e3', true], ['1.5Gi', true], ['lots', false], ['1GB', false], ['', false],
    ['1e99999999999999999999', false /* an exponent past int64: ParseQuantity refuses it */], ['1.G', true], ['.', true],
  ])('isQuantity(%s) is %s', (value, expected) => {
    expect(RULES.isQuantity.holds(value)).toBe(expected);
  });

  it.each([
    ['1s', true], ['1h', true], ['59m59s', true], ['999ms', false], ['1h1s', false], ['bogus', true /* the pattern reports it */],
  ])('intervalInRange(%s) is %s', (value, expected) => {
    expect(RULES.intervalInRange.holds(value)).toBe(expected);
  });

  it('releaseName accepts DNS-1035 labels up to the limit only', () => {
    const named = (name: string) => ({ metadata: { name } });
    expect(RULES.releaseName.holds(named('species'))).toBe(true);
    expect(RULES.releaseName.holds(named('a'.repeat(52)))).toBe(true);
    expect(RULES.releaseName.holds(named('a'.repeat(53)))).toBe(false);
    expect(RULES.releaseName.holds(named('species-'))).toBe(false);
    expect(RULES.releaseName.holds(named('9lives'))).toBe(false);
  });

  it('min/max rules accept one bound and ordered bounds', () => {
    expect(RULES.minOrMax.holds({ min: 1 })).toBe(true);
    expect(RULES.minOrMax.holds({})).toBe(false);
    expect(RULES.minAtMostMax.holds({ min: 1, max: 1 })).toBe(true);
    expect(RULES.minAtMostMax.holds({ min: 2, max: 1 })).toBe(false);
  });
});
